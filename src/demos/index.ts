import type { Capability } from '../capabilities.ts';
import { registerDemos } from './slack.ts';

export const demosCapability: Capability = { name: 'demos', register: registerDemos };
