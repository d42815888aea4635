import type { Capability } from '../capability.ts';
import { registerLifecycleAdmin } from './admin-slack.ts';
import { DemoQueues } from './ids.ts';
import { IdleQueues } from './idle-ids.ts';
import { registerIdle } from './idle-slack.ts';
import { LifecycleQueues } from './lifecycle-ids.ts';
import { registerLifecycle } from './lifecycle-slack.ts';
import { registerPoolAdmin } from './pool-slack.ts';
import { registerDemos } from './slack.ts';
import { registerBookings } from './booking-slack.ts';
import { workDemos } from './worker.ts';

export const demosCapability: Capability = {
  name: 'demos',
  queues: { ...DemoQueues, ...LifecycleQueues, ...IdleQueues },
  web(r) {
    registerDemos(r);
    registerBookings(r);
    registerLifecycle(r);
    registerLifecycleAdmin(r);
    registerPoolAdmin(r);
    registerIdle(r);
  },
  worker: workDemos,
};
