import type { AppContext } from '../context.ts';
import * as catalog from '../catalog/service.ts';
import type { AppDeclaration } from '../catalog/image-labels.ts';
import { endpointUrl, type AppEndpoint } from '../platform/app-reach.ts';
import { postOnce } from '../platform/slack-messages.ts';
import { extendTarget } from './lease.ts';
import { statusNotes } from './save.ts';
import { STATUS_EVENT } from './ids.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';
import { statusMessage } from './views.ts';
import { appHost, zonesFor } from './placement.ts';

/** Render a demo's status DM from its current row (one function, so every update says the same). */
export async function renderStatus(ctx: AppContext, demo: Demo, opts: { readOnly?: boolean } = {}) {
  const image = await catalog.getImage(ctx.db, demo.imageId);
  const summary = image ? { id: image.id, title: image.title, displayName: image.displayName } : { id: demo.imageId, title: 'Demo', displayName: '?' };
  return statusMessage(demo, {
    image: summary,
    project: ctx.config.gce.project,
    appUrl: appTarget(ctx, demo, image?.app ?? null)?.url ?? null,
    ...(ctx.config.gce.externalIp === 'none' ? { iap: { app: image?.app ?? null } } : {}),
    otherZones: zonesFor(ctx.config, image?.region ?? null).filter((z) => z !== demo.zone),
    extendTo: extendTarget(ctx.config, demo, ctx.clock.now()),
    extendHours: ctx.config.demo.extendHours,
    // A launch has no saves yet: no query on the path of its progress updates.
    notes: demo.state === 'provisioning' || demo.state === 'failed' ? [] : await statusNotes(ctx, demo.id),
    readOnly: opts.readOnly,
  });
}

/** Where a demo VM's declared app answers now (its URL and address), if it declares one and has an address. */
export function appTarget(
  ctx: AppContext,
  demo: Pick<Demo, 'zone' | 'instanceName' | 'externalIp' | 'internalIp'>,
  app: AppDeclaration | null,
): { url: string; endpoint: AppEndpoint } | null {
  // The address GCE gives the VM that people reach (its internal IP when VMs get no external one).
  const endpoint = app && ctx.appReach.endpoint({ ...demo, externalIp: appHost(ctx.config, demo) }, app.port);
  return endpoint ? { url: endpointUrl(app, endpoint), endpoint } : null;
}

/**
 * Bring the owner's status DM up to date: posted once (found again after a crash by its metadata),
 * then edited in place. Syncs of one demo run one at a time, in order.
 *
 * Progress updates are best effort and never hold up the work they report (a VM must not wait on
 * Slack): they run in the background, and while one is waiting its turn, further requests coalesce
 * into it (it renders the row as it is when it runs). `required` updates — the final state — are
 * awaited and throw on failure, so the durable job retries them until the user has been told.
 */
export function syncStatus(ctx: AppContext, demoId: string, opts: { required?: boolean } = {}): Promise<void> {
  const lane = lanes.get(demoId) ?? { tail: Promise.resolve(), queued: false };
  lanes.set(demoId, lane);
  if (!opts.required && lane.queued) return Promise.resolve();
  lane.queued = !opts.required;
  const run = lane.tail.then(() => {
    if (!opts.required) lane.queued = false;
    return syncNow(ctx, demoId);
  });
  const tail = run.catch(() => {});
  lane.tail = tail;
  // Forget the lane once its last run settles (nothing was appended after it); tail never rejects.
  void tail.then(() => {
    if (lane.tail === tail && lanes.get(demoId) === lane) lanes.delete(demoId);
  });
  if (opts.required) return run;
  run.catch((err) => ctx.log.warn({ err, demoId }, 'could not update the demo status message; the next update will'));
  return Promise.resolve();
}

const lanes = new Map<string, { tail: Promise<void>; queued: boolean }>();

async function syncNow(ctx: AppContext, demoId: string): Promise<void> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo) return;
  // A booked demo's first DM is "ready for your 9:00" (or what went wrong), not its progress while the owner waits.
  if (!demo.dmTs && demo.readyBy && demo.state === 'provisioning') return;
  const message = await renderStatus(ctx, demo);
  if (!demo.dmTs || !demo.dmChannel) {
    const posted = await postOnce(ctx.slack, ctx.poster, { channel: demo.ownerId, eventType: STATUS_EVENT, key: demo.id, ...message });
    await store.setStatusMessage(ctx.db, demo.id, posted.channel, posted.ts);
  } else {
    await ctx.slack.chat.update({ channel: demo.dmChannel, ts: demo.dmTs, ...message });
  }
  // After the DM: whatever else shows the demo (the owner's Home tab) follows.
  await ctx.events.emit('demos-changed', { userId: demo.ownerId });
}
