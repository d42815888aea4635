import type { Named } from '../resolve.ts';
import { randomUUID } from 'node:crypto';
import type { AppContext } from '../context.ts';
import { ForbiddenError, NotFoundError, UserError } from '../errors.ts';
import { escapeMrkdwn, slackDate } from '../platform/blocks.ts';
import { can, type Actor } from '../policy.ts';
import * as catalog from '../catalog/service.ts';
import { LifecycleJobs } from './lifecycle-ids.ts';
import * as saves from './save-store.ts';
import type { AfterSave, Save } from './save-store.ts';
import { describeState, launch } from './service.ts';
import * as store from './store.ts';
import type { Demo } from './store.ts';
import { recordAudit } from '../audit/store.ts';
import { claimSubmission } from '../platform/submissions.ts';
import { defaultZoneFor, zonesFor } from './placement.ts';
import { regionOfZone } from '../platform/compute/port.ts';

/** GCE: "You can create a machine image at most once every 10 minutes" per source VM. */
export const MACHINE_IMAGE_INTERVAL_MS = 10 * 60_000;

export interface SaveRequest {
  demoId: string;
  title: string;
  description: string;
  after: AfterSave;
  /** One save per key (the modal's view id, a sweep's period): double submits and Slack retries save once. */
  submissionKey: string;
}

/** A second save inside GCE's window: explained with when the next one is possible, not a failure. */
export class SaveTooSoonError extends UserError {
  readonly nextAt: Date;
  constructor(demo: Demo, last: Date, nextAt: Date, now: Date) {
    const minutes = Math.max(1, Math.ceil((nextAt.getTime() - now.getTime()) / 60_000));
    super(
      `*${demo.displayName}* was saved at ${slackDate(last, '{time}')}. GCE allows one machine image per VM every 10 minutes, ` +
        `so the next save is possible at ${slackDate(nextAt, '{time}')} (in ${minutes} minute${minutes === 1 ? '' : 's'}). Nothing was changed.`,
    );
    this.name = 'SaveTooSoonError';
    this.nextAt = nextAt;
  }
}

/** Names derive from the save's id: a retried job never creates a second machine image. */
export function machineImageNameFor(saveId: string): string {
  return `img-${saveId.replaceAll('-', '')}`;
}

const AFTER_CHOICES: AfterSave[] = ['keep', 'stop', 'delete'];

function validate(req: SaveRequest): void {
  const title = req.title.trim();
  if (title.length < 1 || title.length > 150) throw new UserError('Give the image a title of 1 to 150 characters.');
  if (req.description.length > 3000) throw new UserError('The description can be at most 3,000 characters.');
  if (!AFTER_CHOICES.includes(req.after)) throw new UserError('Choose what happens to the VM after the save: keep it, stop it or delete it.');
}

/** Why this demo cannot be saved right now (busy, or inside GCE's 10-minute window), thrown as words. */
async function assertSaveableNow(db: Parameters<typeof saves.lastSave>[0], demo: Demo, now: Date): Promise<void> {
  const idle = (demo.state === 'running' && demo.progress === 'ready') || (demo.state === 'stopped' && demo.progress === 'idle');
  if (!idle) throw new UserError(`Can't save *${demo.displayName}* right now: it is ${describeState(demo)}.`);
  const last = await saves.lastSave(db, demo.id);
  if (last && now.getTime() - last.createdAt.getTime() < MACHINE_IMAGE_INTERVAL_MS) {
    throw new SaveTooSoonError(demo, last.createdAt, new Date(last.createdAt.getTime() + MACHINE_IMAGE_INTERVAL_MS), now);
  }
}

/** The demo the user may save now, or why not (explained before the modal opens). */
export async function saveableDemo(ctx: AppContext, actor: Actor, demoId: string, opts: { checkNow?: boolean } = {}): Promise<Demo> {
  const demo = await store.getDemo(ctx.db, demoId);
  if (!demo || demo.state === 'deleted' || demo.state === 'failed') throw new NotFoundError('That demo no longer exists.');
  const decision = can(actor, 'save', { kind: 'demo', ownerId: demo.ownerId });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  if (demo.state === 'suspended') {
    throw new UserError(
      `\`${demo.displayName}\` is suspended: resume it first (*Resume* on its message or in my Home tab), then Save. Images are made from running or stopped VMs only.`,
    );
  }
  if (opts.checkNow) await assertSaveableNow(ctx.db, demo, ctx.clock.now());
  return demo;
}

/**
 * Save a demo as a new machine image: the catalog entry (private, `creating`), the save record and
 * its job are created with the demo's move to `saving`, in one transaction that locks the demo row,
 * so two concurrent clicks make one machine image.
 */
export async function requestSave(ctx: AppContext, actor: Actor, req: SaveRequest): Promise<{ save: Save; created: boolean }> {
  validate(req);
  await saveableDemo(ctx, actor, req.demoId);
  const now = ctx.clock.now();
  const id = randomUUID();
  return ctx.db.transaction().execute(async (trx) => {
    const existing = await claimSubmission(trx, req.submissionKey, 'save', id, now);
    if (existing) return { save: (await saves.getSave(trx, existing))!, created: false };
    const demo = (await store.getDemo(trx, req.demoId, { forUpdate: true }))!;
    const active = await saves.activeSave(trx, demo.id);
    if (active) return { save: active, created: false };
    await assertSaveableNow(trx, demo, now);
    const parent = await trx.selectFrom('images').selectAll().where('id', '=', demo.imageId).executeTakeFirst();
    const image = await trx
      .insertInto('images')
      .values({
        project: ctx.config.gce.project,
        gce_name: machineImageNameFor(id),
        title: req.title.trim(),
        description: req.description.trim(),
        owner_id: demo.ownerId,
        visibility: 'private',
        origin: 'saved',
        status: 'creating',
        parent_image_id: demo.imageId,
        source_demo_id: demo.id,
        // Where its VMs can run (its network interfaces belong to this region) and where its storage is priced.
        region: regionOfZone(demo.zone),
        tags: parent?.tags ?? [],
        app_scheme: parent?.app_scheme ?? null,
        app_port: parent?.app_port ?? null,
        app_path: parent?.app_path ?? null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const priorState = demo.state as 'running' | 'stopped';
    await saves.insertSave(trx, { id, demoId: demo.id, imageId: image.id, requestedBy: actor.userId, after: req.after, priorState, createdAt: now }, now);
    await store.transition(trx, demo.id, { state: priorState, progress: demo.progress }, { state: 'saving' }, now);
    await recordAudit(trx, {
      at: now,
      actorId: actor.userId,
      action: 'demo.save',
      resourceKind: 'demo',
      resourceId: demo.id,
      before: { state: priorState },
      after: { saveId: id, imageId: image.id, machineImage: machineImageNameFor(id), after: req.after },
      requestId: req.submissionKey,
    });
    await ctx.jobs.send(LifecycleJobs.save, { saveId: id }, { trx });
    return { save: (await saves.getSave(trx, id))!, created: true };
  });
}

/** Resume: a new demo from one of the user's saved images, through the same launch flow. */
export async function resume(ctx: AppContext, actor: Actor, imageId: string, submissionKey: string): Promise<{ demo: Demo; created: boolean }> {
  const image = await catalog.getImage(ctx.db, imageId);
  if (!image) throw new NotFoundError('That saved image no longer exists.');
  const decision = can(actor, 'resume', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  if (image.status !== 'ready')
    throw new UserError(`*${image.title}* is still ${image.status === 'creating' ? 'being saved; I will tell you when it is ready' : image.status}.`);
  const source = await ctx.db
    .selectFrom('demos')
    .select(['zone', 'machine_type'])
    .innerJoin('images', 'images.source_demo_id', 'demos.id')
    .where('images.id', '=', image.id)
    .executeTakeFirst();
  const zone =
    source && zonesFor(ctx.config, image.region).includes(source.zone) ? source.zone : (defaultZoneFor(ctx.config, image.region) ?? source?.zone ?? '');
  const machineType = source && ctx.config.gce.machineTypes.includes(source.machine_type) ? source.machine_type : ctx.config.gce.defaultMachineType;
  return launch(ctx, actor, { imageId: image.id, zone, machineType, ttlHours: ctx.config.demo.ttlHours, submissionKey });
}

/** Live demos a command may name, titled by their image, for the resolver: the user's own (an admin naming one: anyone's). */
export async function liveDemos(ctx: AppContext, actor: Actor, words: string): Promise<Array<Demo & Named>> {
  let q = ctx.db
    .selectFrom('demos')
    .leftJoin('images', 'images.id', 'demos.image_id')
    .selectAll('demos')
    .select('images.title')
    .where('demos.state', 'in', ['running', 'suspended', 'stopped', 'provisioning', 'saving']);
  if (!words.trim() || !actor.isAdmin) q = q.where('demos.owner_id', '=', actor.userId);
  const rows = await q.orderBy('demos.created_at', 'desc').limit(200).execute();
  return rows.map((r) => {
    const demo = store.toDemo(r);
    return { ...demo, name: demo.displayName, title: r.title ?? demo.displayName, also: [demo.instanceName] };
  });
}

/** Lines for the status DM: a save under way, or the last one that worked. */
export async function statusNotes(ctx: AppContext, demoId: string): Promise<string[]> {
  const last = await ctx.db
    .selectFrom('saves')
    .innerJoin('images', 'images.id', 'saves.image_id')
    .select(['saves.state', 'images.title', 'images.display_name', 'images.deleted_at'])
    .where('saves.demo_id', '=', demoId)
    .where('saves.state', '<>', 'failed')
    .orderBy('saves.created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!last) return [];
  const title = escapeMrkdwn(last.title);
  if (last.state === 'creating') return [`:floppy_disk: Saving as *${title}* (\`${last.display_name}\`)…`];
  if (last.deleted_at) return [];
  return [`:floppy_disk: Saved as *${title}* (\`${last.display_name}\`). Resume it any time from the app's Home tab or \`/demo images\`.`];
}
