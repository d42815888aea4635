import type { Capability } from '../capability.ts';
import { registerLifecycleAdmin } from './admin-slack.ts';
import { DemoQueues } from './ids.ts';
import { LifecycleQueues } from './lifecycle-ids.ts';
import { registerLifecycle } from './lifecycle-slack.ts';
import { registerPoolAdmin } from './pool-slack.ts';
import { registerDemos } from './slack.ts';
import { workDemos } from './worker.ts';

export const demosCapability: Capability = {
  name: 'demos',
  queues: { ...DemoQueues, ...LifecycleQueues },
  web(r) {
    registerDemos(r);
    registerLifecycle(r);
    registerLifecycleAdmin(r);
    registerPoolAdmin(r);
  },
  worker: workDemos,
};
