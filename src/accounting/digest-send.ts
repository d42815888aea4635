import type { AppContext } from '../context.ts';
import { crashPoint } from '../platform/crash.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { renderHoursChart } from './chart.ts';
import { digestFor, type DigestData } from './digest-data.ts';
import { attachCsvOnce, ChannelAccessError, displayNames, findDigestMessage, postDigest, uploadChart, type DigestRef } from './digest-post.ts';
import { claimPost, hasSentDigest, markSent, recordMessage, releasePost, subscriptionOf, type Subscription } from './digest-store.ts';
import { csvFilename, digestCsv, digestMessage, digestTitle, TOP_USERS } from './digest-views.ts';
import { describePeriod, localDateString, type Period } from './periods.ts';
import { defaultSchedule, describeSchedule, latestFire, periodFor } from './digest-schedule.ts';
import { context, section } from '../platform/blocks.ts';

/**
 * Exactly one digest per subscription and period: claim the (subscription, period) row, post with
 * metadata naming both, record the ts, mark it sent. Whoever takes over an expired claim (the sender
 * crashed, or failed) looks for that metadata in the channel before posting again.
 */

/** Longer than any send (429 waits included); a crashed sender's claim is taken over after it. */
export const DIGEST_LEASE_MS = 10 * 60_000;

export type SendOutcome = 'posted' | 'found' | 'already_sent' | 'busy';

/** What sends digests: the app's context (ctx.poster posts; reads and uploads without a channel use ctx.slack). */
export interface DigestSender {
  ctx: AppContext;
}

export async function sendDigest(s: DigestSender, sub: Subscription, period: Period, opts: { late: boolean }): Promise<SendOutcome> {
  const { ctx } = s;
  const key = { subscriptionId: sub.id, periodStart: period.start };
  const me = ctx.instanceId;
  const claim = await claimPost(ctx.db, { ...key, periodEnd: period.end, late: opts.late, me, now: ctx.clock.now(), leaseMs: DIGEST_LEASE_MS });
  if (!claim.claimed) return claim.reason === 'sent' ? 'already_sent' : 'busy';
  crashPoint('digest.claimed');
  const ref: DigestRef = { subscription: sub.id, period: period.start.toISOString() };
  const channel = sub.channelId;
  try {
    let ts = claim.messageTs ?? (claim.resume ? await findDigestMessage(ctx.slack, { channel, botId: ctx.identity.botId, ref }) : null);
    const outcome: SendOutcome = ts ? 'found' : 'posted';
    const data = await digestFor(ctx.db, period, ctx.clock.now(), { first: !(await hasSentDigest(ctx.db, sub.id)) });
    const active = data.users.filter((u) => u.hours > 0);
    const csv = active.length > TOP_USERS ? csvFilename(data) : undefined;
    if (!ts) {
      const chartFileId = await chart(ctx, data.period, active.slice(0, TOP_USERS));
      ts = await postDigest(ctx.slack, ctx.poster, {
        channel,
        ref,
        render: (withChart) => digestMessage(data, { late: claim.late, chartFileId: withChart ? chartFileId : undefined, csvFilename: csv }),
      });
      crashPoint('digest.posted');
    }
    if (ts !== claim.messageTs) await recordMessage(ctx.db, key, me, ts);
    if (csv)
      await attachCsvOnce(ctx.slack, ctx.poster, {
        channel,
        threadTs: ts,
        filename: csv,
        csv: digestCsv(data),
        comment: `All ${data.users.length} people, ${digestTitle(data)}`,
      });
    await markSent(ctx.db, key, me, ctx.clock.now());
    ctx.log.info({ subscription: sub.id, channel, period: ref.period, outcome, late: claim.late }, 'digest sent');
    return outcome;
  } catch (err) {
    // Try again in 5, 10, 15… minutes (at most hourly), so a channel that stays broken is not hammered.
    const retryAt = new Date(ctx.clock.now().getTime() + Math.min(claim.attempts * 5, 60) * 60_000);
    await releasePost(ctx.db, key, me, retryAt).catch(() => {});
    if (err instanceof ChannelAccessError) await tellOwner(ctx, sub, ref, err.message);
    throw err;
  }
}

/**
 * `/demo digest preview`: the digest a channel would get now — its subscription's latest period (the
 * last one with usage if it has posted nothing yet), or a new weekly subscription's first — sent to
 * the admin's DM with its chart, and posted nowhere else. Returns whether the channel is subscribed.
 */
export async function previewDigest(ctx: AppContext, opts: { adminId: string; channelId: string | null }): Promise<{ subscribed: boolean; data: DigestData }> {
  const now = ctx.clock.now();
  const sub = opts.channelId ? await subscriptionOf(ctx.db, opts.channelId) : null;
  const schedule = sub?.schedule ?? defaultSchedule(ctx.config.orgTimeZone);
  const period = periodFor(schedule, latestFire(schedule, now));
  const data = await digestFor(ctx.db, period, now, { first: !sub || !(await hasSentDigest(ctx.db, sub.id)) });
  const active = data.users.filter((u) => u.hours > 0);
  const chartFileId = await chart(ctx, data.period, active.slice(0, TOP_USERS));
  const where = opts.channelId ? `<#${opts.channelId}>` : 'a channel';
  const note = context(
    `:eyes: *Preview* of the digest ${where} would get now (${sub ? describeSchedule(sub.schedule) : `not subscribed: as a new weekly subscription's first digest`}). Posted only here.`,
  );
  await postDigest(ctx.slack, ctx.poster, {
    channel: opts.adminId,
    render: (withChart) => {
      const message = digestMessage(data, { late: false, chartFileId: withChart ? chartFileId : undefined });
      return { text: `Preview: ${message.text}`, blocks: [note, ...message.blocks] };
    },
  });
  return { subscribed: sub !== null, data };
}

/** The chart as an uploaded file id; a digest without a chart beats no digest. */
async function chart(ctx: AppContext, period: Period, users: Array<{ userId: string; hours: number }>): Promise<string | undefined> {
  if (users.length === 0) return undefined;
  try {
    const names = await displayNames(
      ctx,
      users.map((u) => u.userId),
    );
    const title = `VM hours per person · ${describePeriod(period)}`;
    const { png } = await renderHoursChart(
      users.map((u) => ({ label: names.get(u.userId) ?? u.userId, value: u.hours })),
      title,
    );
    return await uploadChart(ctx.slack, png, `demo-vm-hours-${localDateString(period.start, period.timeZone)}.png`, title);
  } catch (err) {
    ctx.log.warn({ err }, 'could not render or upload the digest chart; posting without it');
    return undefined;
  }
}

/** The bot cannot get into the channel: tell whoever subscribed it, once per period. */
async function tellOwner(ctx: AppContext, sub: Subscription, ref: DigestRef, why: string): Promise<void> {
  const text = `:warning: I could not post the usage digest: ${why} Or stop it with \`/demo digest unsubscribe <#${sub.channelId}>\`.`;
  try {
    await postOnce(ctx.slack, ctx.poster, {
      channel: sub.createdBy,
      eventType: 'demo_vm_digest_blocked',
      key: `${ref.subscription}:${ref.period}`,
      text,
      blocks: [section(text)],
    });
  } catch (err) {
    ctx.log.warn({ err, subscription: sub.id }, 'could not tell the subscriber that the digest is blocked');
  }
}
