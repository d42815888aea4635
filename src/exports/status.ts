import type { AppContext } from '../context.ts';
import * as catalog from '../catalog/service.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { EXPORT_STATUS_EVENT } from './ids.ts';
import * as store from './store.ts';
import { statusMessage } from './views.ts';

/**
 * Bring the requester's export DM up to date: posted once (found again after a crash by its
 * metadata), then edited in place. `required` updates throw so the job retries them; progress updates
 * are best effort (the next one carries the same news).
 */
export async function syncStatus(ctx: AppContext, exportId: string, opts: { required?: boolean } = {}): Promise<void> {
  try {
    const exp = await store.getExport(ctx.db, exportId);
    if (!exp) return;
    const image = await catalog.getImage(ctx.db, exp.imageId);
    const message = statusMessage(exp, {
      imageTitle: image?.title ?? 'Your image',
      project: ctx.config.gce.project,
      askedDays: ctx.config.exports.signedUrlDays,
    });
    if (!exp.dmChannel || !exp.dmTs) {
      const posted = await postOnce(ctx.slack, ctx.poster, { channel: exp.requesterId, eventType: EXPORT_STATUS_EVENT, key: exp.id, ...message });
      await store.setStatusMessage(ctx.db, exp.id, posted.channel, posted.ts);
      return;
    }
    await ctx.slack.chat.update({ channel: exp.dmChannel, ts: exp.dmTs, ...message });
  } catch (err) {
    if (opts.required) throw err;
    ctx.log.warn({ err, exportId }, 'could not update the export status message; the next update will');
  }
}
