import type { Capability } from '../capabilities.ts';
import { accountingAfterStart, registerAccounting } from './slack.ts';

export const accountingCapability: Capability = { name: 'accounting', register: registerAccounting, afterStart: accountingAfterStart };
