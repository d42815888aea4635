import type { Registration } from '../capability.ts';
import { mentionedUser } from '../commands.ts';
import { UserError } from '../errors.ts';
import { budgetStatus, changeBudget, type BudgetChange } from './service.ts';
import { budgetLine } from './views.ts';

const USAGE = 'Usage: `/demo admin budget @user [running N] [monthly USD]`, `/demo admin budget @user reset`, or `/demo budget` for your own.';

export function parseBudgetArgs(args: string[]): BudgetChange {
  const user = mentionedUser(args[0]);
  if (!user) throw new UserError(`Say whose budget, as a mention. ${USAGE}`);
  const change: BudgetChange = { userId: user };
  const rest = args.slice(1).map((a) => a.toLowerCase());
  if (rest.length === 1 && rest[0] === 'reset') return { ...change, reset: true };
  if (rest.length === 0 || rest.length % 2 !== 0) throw new UserError(USAGE);
  for (let i = 0; i < rest.length; i += 2) {
    const value = Number(rest[i + 1]!.replace(/^\$/, ''));
    if (!Number.isFinite(value) || value < 0 || value > 1_000_000) throw new UserError(`\`${rest[i + 1]}\` is not a valid number. ${USAGE}`);
    if (rest[i] === 'running' && Number.isInteger(value)) change.maxRunning = value;
    else if (rest[i] === 'monthly') change.monthlyLimit = Math.round(value * 100) / 100;
    else throw new UserError(USAGE);
  }
  return change;
}

export function registerBudgets({ ctx, router }: Registration): void {
  router.add({
    name: 'budget',
    usage: '/demo budget',
    summary: 'your limits: demos running at once and cost this month',
    run: async (input, respond) => {
      const s = await budgetStatus(ctx.db, ctx.config, input.userId, ctx.clock.now());
      await respond({ response_type: 'ephemeral', text: `:moneybag: ${budgetLine(s)}` });
    },
  });
  router.admin.set('budget', {
    name: 'budget',
    usage: '/demo admin budget @user [running N] [monthly USD] | reset',
    summary: "change a user's limits",
    adminOnly: true,
    run: async (input, respond) => {
      const change = parseBudgetArgs(input.args);
      const s = await changeBudget(ctx, await ctx.actor(input.userId), change);
      await respond({ response_type: 'ephemeral', text: `:white_check_mark: <@${change.userId}>: ${budgetLine(s)}` });
    },
  });
}
