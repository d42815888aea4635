import type { Capability } from '../capabilities.ts';
import { registerLifecycleAdmin } from './admin-slack.ts';
import { registerLifecycle } from './lifecycle-slack.ts';
import { registerDemos } from './slack.ts';

export const demosCapability: Capability = {
  name: 'demos',
  async register(r) {
    await registerDemos(r);
    await registerLifecycle(r);
    registerLifecycleAdmin(r);
  },
};
