import type { RespondFn } from '@slack/bolt';
import type { Registration } from '../capability.ts';
import type { CommandInput, SubcommandSpec } from '../commands.ts';
import type { AppContext } from '../context.ts';
import { section, slackDate } from '../platform/blocks.ts';
import { describeSchedule, nextFire, periodFor } from './digest-schedule.ts';
import { ensureMember } from './digest-post.ts';
import { previewDigest } from './digest-send.ts';
import { DISCOUNT_USAGE, parseChannel, parseSubscribeArgs, PRICE_USAGE, SUBSCRIBE_USAGE, tokens, USAGE_USAGE } from './parse.ts';
import { describePeriod } from './periods.ts';
import * as service from './service.ts';
import { priceBasis } from './money.ts';
import { pricesMessage, subscriptionsMessage, usageHelp, usageReportMessage } from './views.ts';

/** `/demo usage`, `/demo digest …`, `/demo admin price` and `/demo admin discount`. */
export function registerAccounting({ ctx, router }: Registration): void {
  router.add({
    name: 'usage',
    usage: USAGE_USAGE,
    summary: "VM hours and cost for a week, a month or dates: yours, or (approvers) someone's or everyone's",
    run: async (input, respond) => {
      if (/^(help|\?)$/i.test(input.rest.trim())) return void (await respond({ response_type: 'ephemeral', text: usageHelp(USAGE_USAGE) }));
      const report = await service.usageReport(ctx, await ctx.actor(input.userId), input.rest);
      await respond({ response_type: 'ephemeral', ...usageReportMessage(report) });
    },
  });

  router.add({
    name: 'digest',
    usage: '/demo digest subscribe #channel [weekly|daily] [mon 09:00] [Area/City] | list | unsubscribe #channel | preview [#channel]',
    summary: 'usage digests posted into channels (admins)',
    adminOnly: true,
    run: (input, respond) => digestCommand(ctx, input, respond),
  });

  const admin = (spec: Omit<SubcommandSpec, 'adminOnly'>) => router.admin.set(spec.name, { ...spec, adminOnly: true });

  admin({
    name: 'price',
    usage: PRICE_USAGE,
    summary: 'show or set the hourly list price of a machine type in a region',
    run: async (input, respond) => {
      const actor = await ctx.actor(input.userId);
      const words = tokens(input.rest);
      if (words.length <= 1)
        return void (await respond({ response_type: 'ephemeral', ...pricesMessage(await service.pricesFor(ctx, actor, words[0]), words[0]) }));
      const { price, previous } = await service.changePrice(ctx, actor, words);
      const was = previous === null ? 'it had none' : `it was USD ${previous}`;
      const wins = 'This override wins over the Cloud Billing Catalog price until you set another.';
      await respond({
        response_type: 'ephemeral',
        text: `:white_check_mark: ${price.machineType} in ${price.region === '*' ? 'regions without their own price' : price.region} now costs USD ${price.hourlyPrice} per hour (${was}). Reports and digests use it from now on, for all hours. ${wins}`,
      });
    },
  });

  admin({
    name: 'discount',
    usage: DISCOUNT_USAGE,
    summary: 'a negotiated or committed-use discount off list prices, applied to every cost shown',
    run: async (input, respond) => {
      const factor = await service.changeDiscount(ctx, await ctx.actor(input.userId), tokens(input.rest));
      const text = `:white_check_mark: Costs now use ${priceBasis(factor)}: the launch modal, Home, \`/demo usage\`, budgets and digests.`;
      await respond({ response_type: 'ephemeral', text });
    },
  });
}

async function digestCommand(ctx: AppContext, input: CommandInput, respond: RespondFn): Promise<void> {
  const [sub = '', ...words] = tokens(input.rest);
  const actor = await ctx.actor(input.userId);
  const say = (text: string) => respond({ response_type: 'ephemeral', text, blocks: [section(text)] });
  switch (sub.toLowerCase()) {
    case 'subscribe': {
      service.authorizeDigestAdmin(actor);
      const parsed = parseSubscribeArgs(words, ctx.config.orgTimeZone);
      await ensureMember(ctx.slack, parsed.channelId);
      // The worker's digest sync (every minute) schedules it from the table.
      const { subscription, created } = await service.subscribe(ctx, actor, parsed);
      const next = nextFire(subscription.schedule, ctx.clock.now());
      const covers = describePeriod(periodFor(subscription.schedule, next));
      await say(
        `:white_check_mark: ${created ? 'Subscribed' : 'Rescheduled'} <#${parsed.channelId}>: ${describeSchedule(subscription.schedule)}. ` +
          `The next digest, for ${covers}, goes out ${slackDate(next)}.`,
      );
      return;
    }
    case 'unsubscribe': {
      service.authorizeDigestAdmin(actor);
      const removed = await service.unsubscribe(ctx, actor, parseChannel(words[0]));
      await say(`:white_check_mark: <#${removed.channelId}> no longer gets the usage digest.`);
      return;
    }
    case 'preview': {
      service.authorizeDigestAdmin(actor);
      const channelId = words[0] ? parseChannel(words[0]) : null;
      const { subscribed } = await previewDigest(ctx, { adminId: input.userId, channelId });
      const unsubscribed = channelId && !subscribed ? ` <#${channelId}> has no digest yet: \`${SUBSCRIBE_USAGE}\`.` : '';
      await say(`:eyes: The preview is in your DM from me; nothing was posted in any channel.${unsubscribed}`);
      return;
    }
    case 'list':
    case '': {
      const { subscriptions, lastSent, now } = await service.subscriptions(ctx, actor);
      await respond({ response_type: 'ephemeral', ...subscriptionsMessage(subscriptions, lastSent, now) });
      return;
    }
    default:
      await say(
        `I don't know \`/demo digest ${sub.slice(0, 30).replace(/[<>&]/g, '')}\`. Use \`${SUBSCRIBE_USAGE}\`, \`/demo digest list\`, \`/demo digest unsubscribe #channel\` or \`/demo digest preview [#channel]\`.`,
      );
  }
}
