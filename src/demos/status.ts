import type { AppContext } from '../context.ts';
import * as catalog from '../catalog/service.ts';
import { appUrl } from '../catalog/image-labels.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { STATUS_EVENT } from './ids.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';
import { statusMessage } from './views.ts';

/** Render a demo's status DM from its current row (one function, so every update says the same). */
export async function renderStatus(ctx: AppContext, demo: Demo) {
  const image = await catalog.getImage(ctx.db, demo.imageId);
  const summary = image ? { id: image.id, title: image.title, gceName: image.gceName } : { id: demo.imageId, title: 'Demo', gceName: '?' };
  return statusMessage(demo, {
    image: summary,
    project: ctx.compute.project,
    appUrl: appUrl(image?.app ?? null, demo.externalIp),
    otherZones: ctx.config.gce.zones.filter((z) => z !== demo.zone),
  });
}

/**
 * Bring the owner's status DM up to date: posted once (found again after a crash by its metadata),
 * then edited in place. `required` updates throw on failure so the job retries them; progress
 * updates are best effort (the next one carries the same news).
 */
export async function syncStatus(ctx: AppContext, demoId: string, opts: { required?: boolean } = {}): Promise<void> {
  try {
    const demo = await store.getDemo(ctx.db, demoId);
    if (!demo) return;
    const message = await renderStatus(ctx, demo);
    if (!demo.dmTs || !demo.dmChannel) {
      const posted = await postOnce(ctx.slack, { channel: demo.ownerId, eventType: STATUS_EVENT, key: demo.id, ...message });
      await store.setStatusMessage(ctx.db, demo.id, posted.channel, posted.ts);
      return;
    }
    await ctx.slack.chat.update({ channel: demo.dmChannel, ts: demo.dmTs, ...message });
  } catch (err) {
    if (opts.required) throw err;
    ctx.log.warn({ err, demoId }, 'could not update the demo status message; the next update will');
  }
}
