import type { Capability } from '../capabilities.ts';
import { registerAudit } from './slack.ts';

export const auditCapability: Capability = { name: 'audit', web: registerAudit };
