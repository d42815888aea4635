import type { Capability } from '../capability.ts';
import { registerHome } from './slack.ts';

export const homeCapability: Capability = { name: 'home', web: registerHome };
