import type { Capability } from '../capabilities.ts';
import { registerBudgets } from './slack.ts';

export const budgetsCapability: Capability = { name: 'budgets', web: registerBudgets };
