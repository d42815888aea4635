import type { Capability } from '../capability.ts';
import { registerBudgets } from './slack.ts';

export const budgetsCapability: Capability = { name: 'budgets', web: registerBudgets };
