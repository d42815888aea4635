import type { BlockAction } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import { IdleIds } from './idle-ids.ts';
import { keepRunning } from './idle-check.ts';
import { buttonValue, notify } from './lifecycle-slack.ts';
import { resumeSuspended } from './suspend.ts';

/** Keep running (on the idle warning) and Resume (on the suspended DM, the status DM, Home). */
export function registerIdle({ ctx, bolt }: Registration): void {
  bolt.action<BlockAction>(IdleIds.keepRunning, async ({ ack, body, action, respond }) => {
    await ack();
    const { demo, kept } = await keepRunning(ctx, await ctx.actor(body.user.id), buttonValue(action));
    // A kept warning is edited in place (keepRunning does it); a second click only hears so.
    if (!kept) await notify(ctx, body, respond, `\`${demo.displayName}\` is not waiting to be suspended any more: it keeps running.`);
  });

  bolt.action<BlockAction>(IdleIds.resume, async ({ ack, body, action, respond }) => {
    await ack();
    const demo = await resumeSuspended(ctx, buttonValue(action), await ctx.actor(body.user.id));
    if (body.response_url) await notify(ctx, body, respond, `:arrow_forward: Resuming \`${demo.displayName}\`. I'll DM you its address when it runs.`);
  });
}
