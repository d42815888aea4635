import { formatMoney } from '../accounting/money.ts';
import type { BudgetStatus } from './service.ts';

/** "2 of 5 running · USD 41.20 spent + USD 12.00 reserved of USD 500.00 this month" */
export function budgetLine(s: BudgetStatus): string {
  const used = s.spent + s.reserved;
  const pct = s.monthlyLimit > 0 ? Math.round((used / s.monthlyLimit) * 100) : 0;
  return `${s.running} of ${s.maxRunning} demos running · ${formatMoney(s.spent)} spent + ${formatMoney(s.reserved)} reserved of ${formatMoney(s.monthlyLimit)} this month (${pct}%)${s.overridden ? ' · limits set by an admin' : ''}`;
}
