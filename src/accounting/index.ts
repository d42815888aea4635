import type { Capability } from '../capability.ts';
import { registerAccounting } from './slack.ts';
import { accountingAfterStart, workAccounting } from './worker.ts';

export const accountingCapability: Capability = { name: 'accounting', web: registerAccounting, worker: workAccounting, afterStart: accountingAfterStart };
