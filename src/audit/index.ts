import type { Capability } from '../capability.ts';
import { registerAudit } from './slack.ts';

export const auditCapability: Capability = { name: 'audit', web: registerAudit };
