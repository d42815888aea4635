import type { AppContext } from '../context.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { closeInterval, openInterval } from '../accounting/ledger.ts';
import { handOverSuspended } from '../accounting/suspended-ledger.ts';
import { can, type Actor } from '../policy.ts';
import { DemoJobs } from './ids.ts';
import { syncStatus } from './status.ts';
import * as store from './store.ts';
import { recordAudit } from '../audit/store.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';

/**
 * Hand-over: the owner (or an admin, for someone who left) gives a demo or a saved image to a
 * colleague. From then on can() sees the new owner; usage from the hand-over on is charged to them,
 * and a durable job moves the VM's GCE `owner` label to them (relabelJob).
 */

const SLACK_USER = /^[UW][A-Z0-9_]{2,}$/;

async function checkRecipient(ctx: AppContext, currentOwner: string | null, to: string): Promise<void> {
  if (!SLACK_USER.test(to)) throw new UserError('Pick a colleague to hand it over to.');
  if (to === ctx.identity.botUserId) throw new UserError("I can't own demos myself; pick a colleague.");
  if (to === currentOwner) throw new UserError(`<@${to}> already owns it.`);
  const info = await ctx.slack.users.info({ user: to }).catch((err: { data?: { error?: string } }) => {
    if (err.data?.error === 'user_not_found') return null;
    throw err;
  });
  if (!info?.user) throw new UserError(`I can't find <@${to}> in this workspace.`);
  if (info.user.is_bot || info.user.deleted) throw new UserError(`<@${to}> can't own a demo (a bot or a deactivated account); pick a colleague.`);
}

async function tellNewOwner(ctx: AppContext, to: string, actor: Actor, what: string): Promise<void> {
  await ctx.poster.postMessage({ channel: to, text: `:handshake: <@${actor.userId}> handed ${what} over to you. It is yours now: find it in my Home tab.` });
}

export async function transferDemo(ctx: AppContext, actor: Actor, demoId: string, to: string): Promise<{ changed: boolean; title: string }> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo || demo.state === 'deleted' || demo.state === 'failed') throw new NotFoundError('That demo no longer exists.');
  if (demo.ownerId === to) return { changed: false, title: demo.displayName }; // a repeat of the same hand-over
  const decision = can(actor, 'transfer', { kind: 'demo', ownerId: demo.ownerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  await checkRecipient(ctx, demo.ownerId, to);
  const now = ctx.clock.now();
  const changed = await ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('demos')
      .set({ owner_id: to, dm_channel: null, dm_ts: null, nudged_at: null, updated_at: now })
      .where('id', '=', demo.id)
      .where('owner_id', '=', demo.ownerId)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    // Usage until now is the old owner's; from now on it is the new owner's.
    if (await closeInterval(trx, demo.id, now)) {
      await openInterval(trx, { ...store.intervalSubject(demo), userId: to }, { startedAt: now, seenAt: now });
    }
    await handOverSuspended(trx, demo.id, to, now);
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'demo.transfer',
      resourceKind: 'demo',
      resourceId: demo.id,
      before: { owner: demo.ownerId },
      after: { owner: to },
    });
    await ctx.jobs.send(DemoJobs.relabel, { demoId: demo.id }, { trx });
    return true;
  });
  if (!changed) throw new UserError('That demo changed hands meanwhile; look again.');
  // The old DM loses its buttons; the new owner gets a status DM of their own.
  if (demo.dmChannel && demo.dmTs) {
    await ctx.slack.chat
      .update({
        channel: demo.dmChannel,
        ts: demo.dmTs,
        text: `Handed over to <@${to}>`,
        blocks: [{ type: 'section', text: { type: 'mrkdwn', text: `:handshake: \`${demo.displayName}\` was handed over to <@${to}>. It is theirs now.` } }],
      })
      .catch((err: unknown) => ctx.log.warn({ err, demoId }, "could not update the old owner's status message"));
  }
  await tellNewOwner(ctx, to, actor, `the demo \`${demo.displayName}\``);
  await syncStatus(ctx, demo.id);
  await ctx.events.emit('demos-changed', { userId: demo.ownerId });
  return { changed: true, title: demo.displayName };
}

export async function transferImage(ctx: AppContext, actor: Actor, imageId: string, to: string): Promise<{ changed: boolean; title: string }> {
  const image = await ctx.db.selectFrom('images').selectAll().where('id', '=', imageId).where('deleted_at', 'is', null).executeTakeFirst();
  if (!image) throw new NotFoundError('That image no longer exists.');
  if (image.owner_id === to) return { changed: false, title: image.title };
  if (image.visibility === 'official' || !image.owner_id)
    throw new UserError('Official images belong to the catalog, not to a person; there is nothing to hand over.');
  const decision = can(actor, 'transfer', { kind: 'image', ownerId: image.owner_id, visibility: image.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  await checkRecipient(ctx, image.owner_id, to);
  const now = ctx.clock.now();
  const changed = await ctx.db.transaction().execute(async (trx) => {
    const res = await trx
      .updateTable('images')
      .set({ owner_id: to, updated_at: now })
      .where('id', '=', image.id)
      .where('owner_id', '=', image.owner_id)
      .executeTakeFirst();
    if (Number(res.numUpdatedRows) !== 1) return false;
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'image.transfer',
      resourceKind: 'image',
      resourceId: image.id,
      before: { owner: image.owner_id },
      after: { owner: to },
    });
    await ctx.events.emit('image-handed-over', { imageId: image.id, actorId: actor.userId, trx });
    return true;
  });
  if (!changed) throw new UserError('That image changed hands meanwhile; look again.');
  await tellNewOwner(ctx, to, actor, `the saved image *${escapeMrkdwn(image.title)}*`);
  await Promise.all([image.owner_id, to].map((userId) => ctx.events.emit('images-changed', { userId })));
  return { changed: true, title: image.title };
}
