import type { Capability } from '../capabilities.ts';
import { registerHome } from './slack.ts';

export const homeCapability: Capability = { name: 'home', web: registerHome };
