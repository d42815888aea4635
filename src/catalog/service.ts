import type { AppContext, WorkerContext } from '../context.ts';
import { NotFoundError, ForbiddenError, UserError } from '../errors.ts';
import { can, type Actor } from '../policy.ts';
import { CatalogJobs } from './ids.ts';
import { catalogEntryFrom } from './image-labels.ts';
import * as store from './store.ts';
import type { CatalogFilter, CatalogImage, CatalogSort, CommentView, SyncSkip } from './store.ts';
import { recordAudit } from '../audit/store.ts';
import { archiveUrl } from '../platform/slack-messages.ts';
import type { Named } from '../resolve.ts';

export const PAGE_SIZE = 8;

export interface BrowseState {
  query: string;
  filter: CatalogFilter;
  page: number;
  sort?: CatalogSort;
}

export interface BrowsePage extends BrowseState {
  items: CatalogImage[];
  hasMore: boolean;
}

export interface ImageDetail {
  image: CatalogImage;
  ancestors: Array<{ id: string; title: string; ownerId: string | null }>;
  stats: { derived: number; launches: number; comments: number };
  comments: CommentView[];
  canLaunch: boolean;
  /** Link to the image's comment thread in Slack, once it exists. */
  threadUrl: string | null;
  /** What the viewer may do here besides launching (policy decides; the view only shows). */
  can: { share: boolean; unshare: boolean; withdraw: boolean; comment: boolean; export: boolean };
}

/**
 * Mirror the project's labelled machine images into the catalog: new ones appear, deleted or
 * unlabelled ones disappear. Idempotent; safe to run from any replica.
 */
export async function syncCatalog(ctx: WorkerContext): Promise<{ listed: number; retired: number; skipped: SyncSkip[] }> {
  const { key, value } = ctx.config.gce.catalogLabel;
  const names: string[] = [];
  const replaced = new Set<string>();
  const skipped: SyncSkip[] = [];
  let pageToken: string | undefined;
  const now = ctx.clock.now();
  do {
    const page = await ctx.compute.listMachineImages({ filter: `labels.${key}=${value}`, pageToken, maxResults: 500 });
    for (const image of page.items) {
      if (image.status !== 'READY') continue;
      // Still in GCE, so never retired, even when its entry cannot be stored this time.
      names.push(image.name);
      const entry = catalogEntryFrom(image, key);
      if (entry.replaces) replaced.add(entry.replaces);
      try {
        await store.upsertLabelled(ctx.db, ctx.config.gce.project, entry, now);
      } catch (err) {
        // One image the database refuses must not hold back everyone else's catalog.
        ctx.log.warn({ err, image: image.name }, 'catalog sync skipped a machine image');
        skipped.push({ name: image.name, reason: err instanceof Error ? err.message.slice(0, 200) : String(err) });
      }
    }
    pageToken = page.nextPageToken;
  } while (pageToken);
  // An image a newer version replaces leaves the catalog (the warm pool follows the new one).
  const retired = await store.retireLabelledExcept(
    ctx.db,
    ctx.config.gce.project,
    names.filter((n) => !replaced.has(n)),
    now,
  );
  await store.recordSyncSkips(ctx.db, skipped, now);
  return { listed: names.length - skipped.length, retired, skipped };
}

/** For the admin fleet: what the last sync could not store. */
export const lastSyncSkips = store.lastSyncSkips;

export interface PublishJob {
  gceName: string;
  actorId: string;
  /** Where the admin typed the command: the answer goes there (a DM when it has expired). */
  responseUrl: string;
}

/**
 * An admin adds any machine image of the project to the catalog. What can be checked without GCE is
 * checked here; the worker looks the image up (publishJob) and answers where the admin asked.
 */
export async function requestPublish(ctx: AppContext, actor: Actor, gceName: string, responseUrl: string): Promise<void> {
  const decision = can(actor, 'publish', { kind: 'catalog' });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  if (!/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(gceName)) {
    throw new UserError(`\`${gceName.slice(0, 70)}\` is not a machine image name (lowercase letters, digits and dashes).`);
  }
  const existing = await store.getImageByGceName(ctx.db, ctx.config.gce.project, gceName);
  if (existing) throw new UserError(`*${existing.title}* (\`${gceName}\`) is already in the catalog.`);
  await ctx.jobs.send<PublishJob>(CatalogJobs.publish, { gceName, actorId: actor.userId, responseUrl }, { singletonKey: `publish:${gceName}` });
}

/** The worker's half of publishing: read the machine image from GCE, then add it to the catalog. */
export async function publish(ctx: WorkerContext, actorId: string, gceName: string): Promise<CatalogImage> {
  const existing = await store.getImageByGceName(ctx.db, ctx.config.gce.project, gceName);
  if (existing) return existing; // a retried job whose first attempt got this far
  const image = await ctx.compute.getMachineImage(gceName);
  if (!image) throw new NotFoundError(`There is no machine image \`${gceName}\` in project \`${ctx.config.gce.project}\`.`);
  const entry = catalogEntryFrom(image, ctx.config.gce.catalogLabel.key);
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    await store.upsertLabelled(trx, ctx.config.gce.project, entry, now);
    await trx
      .updateTable('images')
      .set({ origin: 'published' })
      .where('project', '=', ctx.config.gce.project)
      .where('gce_name', '=', gceName)
      .where('deleted_at', 'is', null)
      .execute();
    await recordAudit(trx, { at: now, actorId, action: 'image.publish', resourceKind: 'image', resourceId: gceName, after: { title: entry.title } });
    // A published image gets its comment thread in the catalog channel right away (comments listens).
    const published = await store.getImageByGceName(trx, ctx.config.gce.project, gceName);
    if (published) await ctx.events.emit('image-published', { imageId: published.id, trx });
  });
  return (await store.getImageByGceName(ctx.db, ctx.config.gce.project, gceName))!;
}

export async function browse(ctx: AppContext, viewerId: string, state: BrowseState): Promise<BrowsePage> {
  const page = Math.max(0, Math.min(state.page, 10_000));
  const { items, hasMore } = await store.searchImages(ctx.db, {
    viewerId,
    query: state.query.slice(0, 200),
    filter: state.filter,
    sort: state.sort ?? 'recent',
    offset: page * PAGE_SIZE,
    limit: PAGE_SIZE,
  });
  return { ...state, page, items, hasMore };
}

export async function detail(ctx: AppContext, actor: Actor, imageId: string): Promise<ImageDetail> {
  const image = await store.getImage(ctx.db, imageId);
  if (!image || !can(actor, 'launch', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility }).allowed) {
    throw new NotFoundError('That image is no longer in the catalog (or is private). Try `/demo browse`.');
  }
  const [ancestors, stats, comments] = await Promise.all([
    store.ancestors(ctx.db, image.id),
    store.imageStats(ctx.db, image.id),
    store.latestComments(ctx.db, image.id, 3),
  ]);
  const resource = { kind: 'image' as const, ownerId: image.ownerId, visibility: image.visibility };
  const own = image.ownerId === actor.userId;
  return {
    image,
    ancestors,
    stats,
    comments,
    canLaunch: true,
    threadUrl: image.thread ? archiveUrl(ctx.identity.url, image.thread.channel, image.thread.ts) : null,
    can: {
      share: can(actor, 'share', resource).allowed && image.status === 'ready',
      unshare: can(actor, 'unshare', resource).allowed,
      withdraw: image.visibility === 'pending' && (own || actor.isAdmin),
      comment: can(actor, 'comment', resource).allowed,
      export: can(actor, 'export', resource).allowed,
    },
  };
}

/** The newest comments of an image the viewer may see, and how many there are ("show more"). */
export async function comments(
  ctx: AppContext,
  actor: Actor,
  imageId: string,
  limit: number,
): Promise<{ image: CatalogImage; threadUrl: string | null; comments: CommentView[]; total: number }> {
  const image = await store.getImage(ctx.db, imageId);
  if (!image || !can(actor, 'comment', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility }).allowed) {
    throw new NotFoundError('That image is no longer in the catalog (or is private).');
  }
  const list = await store.latestComments(ctx.db, image.id, limit);
  const threadUrl = image.thread ? archiveUrl(ctx.identity.url, image.thread.channel, image.thread.ts) : null;
  return { image, threadUrl, comments: list, total: image.comments };
}

/** The image a user may launch, by id. */
export async function launchableImage(ctx: AppContext, actor: Actor, imageId: string): Promise<CatalogImage> {
  const image = await store.getImage(ctx.db, imageId);
  if (!image) throw new NotFoundError('That image is no longer in the catalog. Try `/demo browse`.');
  const decision = can(actor, 'launch', { kind: 'image', ownerId: image.ownerId, visibility: image.visibility });
  if (!decision.allowed) throw new ForbiddenError(decision.reason!);
  return image;
}

/** What `/demo launch crm`, `/demo export Acme CRM qcow2`… might mean: images for the resolver (src/resolve.ts). */
export async function imagesNamed(ctx: AppContext, viewerId: string, words: string): Promise<Array<CatalogImage & Named>> {
  return (await store.imagesNamedLike(ctx.db, viewerId, words)).map(named);
}

/** A user's own saved images, for the resolver (the words pick among them in src/resolve.ts). */
export async function savedImagesNamed(ctx: AppContext, ownerId: string): Promise<Array<CatalogImage & Named>> {
  return (await store.savedImagesOf(ctx.db, ownerId)).map(named);
}

const named = (i: CatalogImage): CatalogImage & Named => ({ ...i, name: i.displayName, also: [i.gceName] });

/** Catalog images a message names (the "Launch this demo" message shortcut). */
export async function imagesNamedIn(ctx: AppContext, viewerId: string, text: string, limit: number): Promise<CatalogImage[]> {
  // Slack escapes &, < and > in message text; links read `<url|label>`.
  const plainText = text
    .replace(/<[^|>]*\|([^>]*)>/g, ' $1 ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
  return store.imagesNamedIn(ctx.db, viewerId, plainText, limit);
}

/** The images launched most often that the viewer may launch (the Home tab's suggestions). */
export async function mostLaunched(ctx: AppContext, viewerId: string, limit: number): Promise<CatalogImage[]> {
  const { items } = await store.searchImages(ctx.db, { viewerId, query: '', filter: 'all', sort: 'launched', offset: 0, limit });
  return items;
}

export async function suggestions(ctx: AppContext, viewerId: string, query: string, limit = 100): Promise<CatalogImage[]> {
  const { items } = await store.searchImages(ctx.db, { viewerId, query: query.slice(0, 100), filter: 'all', offset: 0, limit });
  return items;
}

export { getImage, isPostedThread, THREAD_CLAIM_PREFIX } from './store.ts';
export type { CatalogImage as CatalogImageRef } from './store.ts';
