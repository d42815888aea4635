import { sql, type Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import { getSetting, putSetting } from '../platform/settings.ts';
import type { Database, ImageRow, Visibility } from '../platform/db-schema.ts';
import type { AppDeclaration, CatalogEntry } from './image-labels.ts';

export interface CatalogImage {
  id: string;
  project: string;
  gceName: string;
  /** The short unique name people type (`acme-crm-7f3k`). */
  displayName: string;
  title: string;
  description: string;
  ownerId: string | null;
  visibility: Visibility;
  origin: 'catalog_label' | 'published' | 'saved';
  status: string;
  parentImageId: string | null;
  tags: string[];
  app: AppDeclaration | null;
  /** Where GCE keeps it (a region or multi-region), once a catalog sync has seen it. */
  region: string | null;
  createdAt: Date;
  /** Its comment thread in the catalog channel, once posted. */
  thread: { channel: string; ts: string } | null;
  launches: number;
  comments: number;
}

/** While comments creates an image's thread, its ts column holds a claim token, not a message ts. */
export const THREAD_CLAIM_PREFIX = 'creating:';

export function isPostedThread(ts: string | null): ts is string {
  return ts !== null && !ts.startsWith(THREAD_CLAIM_PREFIX);
}

export type CatalogFilter = 'all' | 'official' | 'shared' | 'mine';
/** 'recent' is newest first (best match first when searching); the others use counters kept by triggers (0005). */
export type CatalogSort = 'recent' | 'launched' | 'commented';

export function toImage(r: ImageRow): CatalogImage {
  return {
    id: r.id,
    project: r.project,
    gceName: r.gce_name,
    displayName: r.display_name,
    title: r.title,
    description: r.description,
    ownerId: r.owner_id,
    visibility: r.visibility,
    origin: r.origin,
    status: r.status,
    parentImageId: r.parent_image_id,
    tags: r.tags,
    app: r.app_port ? { scheme: r.app_scheme ?? 'http', port: r.app_port, path: r.app_path ?? '/' } : null,
    region: r.region,
    createdAt: r.created_at,
    thread: r.thread_channel && isPostedThread(r.thread_ts) ? { channel: r.thread_channel, ts: r.thread_ts } : null,
    launches: r.launch_count,
    comments: r.comment_count,
  };
}

type DbOrTrx = Db | Transaction<Database>;

/** Insert or refresh a labelled machine image as an official catalog entry. */
export async function upsertLabelled(db: DbOrTrx, project: string, e: CatalogEntry, now: Date): Promise<void> {
  const values = {
    title: e.title,
    description: e.description,
    tags: e.tags,
    app_scheme: e.app?.scheme ?? null,
    app_port: e.app?.port ?? null,
    app_path: e.app?.path ?? null,
    storage_bytes: e.storageBytes,
    region: e.region,
    replaces: e.replaces,
    updated_at: now,
  };
  const updated = await db
    .updateTable('images')
    .set(values)
    .where('project', '=', project)
    .where('gce_name', '=', e.gceName)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) > 0) return;
  await db
    .insertInto('images')
    .values({
      ...values,
      project,
      gce_name: e.gceName,
      visibility: 'official',
      origin: 'catalog_label',
      created_at: e.createdAt,
    })
    .onConflict((oc) => oc.columns(['project', 'gce_name']).where('deleted_at', 'is', null).doNothing())
    .execute();
}

/** Labelled images no longer in GCE (or no longer labelled) leave the catalog. */
export async function retireLabelledExcept(db: DbOrTrx, project: string, present: string[], now: Date): Promise<number> {
  let q = db
    .updateTable('images')
    .set({ deleted_at: now, status: 'deleted', updated_at: now })
    .where('project', '=', project)
    .where('origin', '=', 'catalog_label')
    .where('deleted_at', 'is', null);
  if (present.length) q = q.where('gce_name', 'not in', present);
  const res = await q.executeTakeFirst();
  return Number(res.numUpdatedRows);
}

export async function getImage(db: DbOrTrx, id: string): Promise<CatalogImage | null> {
  if (!isUuid(id)) return null;
  const row = await db.selectFrom('images').selectAll().where('id', '=', id).where('deleted_at', 'is', null).executeTakeFirst();
  return row ? toImage(row) : null;
}

export async function getImageByGceName(db: DbOrTrx, project: string, gceName: string): Promise<CatalogImage | null> {
  const row = await db
    .selectFrom('images')
    .selectAll()
    .where('project', '=', project)
    .where('gce_name', '=', gceName)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  return row ? toImage(row) : null;
}

export interface SearchParams {
  viewerId: string;
  query: string;
  filter: CatalogFilter;
  /** Default 'recent'. */
  sort?: CatalogSort;
  offset: number;
  limit: number;
}

/** How many of a search's newest matches are ranked (bench/catalog-search.bench.ts). */
const RANKED_MATCHES = 300;

/** One page of the images a viewer may see, best match first (or newest without a query). */
export async function searchImages(db: Db, p: SearchParams): Promise<{ items: CatalogImage[]; hasMore: boolean }> {
  const tsQuery = toPrefixQuery(p.query);
  let q = db.selectFrom('images').selectAll().where('deleted_at', 'is', null).where('status', '=', 'ready');
  q = q.where((eb) =>
    p.filter === 'mine'
      ? eb('owner_id', '=', p.viewerId)
      : p.filter === 'all'
        ? eb.or([eb('visibility', 'in', ['official', 'shared']), eb('owner_id', '=', p.viewerId)])
        : eb('visibility', '=', p.filter),
  );
  // Counter sorts walk images_most_launched / images_most_commented; a query still narrows by the GIN index.
  if (p.sort === 'launched') q = q.orderBy('launch_count', 'desc');
  if (p.sort === 'commented') q = q.orderBy('comment_count', 'desc');
  if (tsQuery) q = q.where(sql<boolean>`search @@ to_tsquery('simple', ${tsQuery})`);
  if (tsQuery && (p.sort ?? 'recent') === 'recent') {
    // Best match first among the newest RANKED_MATCHES matches: ranking every match of a short prefix
    // ("d" matches most of a 100,000-image catalog) took 150–300 ms; a rarer word is ranked in full.
    const newest = q
      .orderBy('created_at', 'desc')
      .orderBy('id')
      .limit(Math.max(RANKED_MATCHES, p.offset + p.limit + 1))
      .as('m');
    const ranked = await db
      .selectFrom(newest)
      .selectAll()
      .orderBy(sql`ts_rank(m.search, to_tsquery('simple', ${tsQuery}))`, 'desc')
      .orderBy('m.created_at', 'desc')
      .orderBy('m.id')
      .offset(p.offset)
      .limit(p.limit + 1)
      .execute();
    return { items: ranked.slice(0, p.limit).map(toImage), hasMore: ranked.length > p.limit };
  }
  const rows = await q
    .orderBy('created_at', 'desc')
    .orderBy('id')
    .offset(p.offset)
    .limit(p.limit + 1)
    .execute();
  return { items: rows.slice(0, p.limit).map(toImage), hasMore: rows.length > p.limit };
}

/** `crm ana` → `crm:* & ana:*`: every word, as a prefix, so results follow the typing. */
export function toPrefixQuery(text: string): string | null {
  const words = text
    .toLowerCase()
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}_]+/u)
    .filter(Boolean)
    .slice(0, 8);
  return words.length ? words.map((w) => `${w}:*`).join(' & ') : null;
}

/** Parent chain, nearest first (bounded: lineage is shown, not walked forever). */
export async function ancestors(db: Db, imageId: string, max = 10): Promise<Array<{ id: string; title: string; ownerId: string | null }>> {
  const res = await sql<{ id: string; title: string; owner_id: string | null; depth: number }>`
    WITH RECURSIVE chain AS (
      SELECT p.id, p.title, p.owner_id, p.parent_image_id, 1 AS depth
        FROM images c JOIN images p ON p.id = c.parent_image_id WHERE c.id = ${imageId}
      UNION ALL
      SELECT p.id, p.title, p.owner_id, p.parent_image_id, chain.depth + 1
        FROM chain JOIN images p ON p.id = chain.parent_image_id WHERE chain.depth < ${max}
    ) SELECT id, title, owner_id, depth FROM chain ORDER BY depth`.execute(db);
  return res.rows.map((r) => ({ id: r.id, title: r.title, ownerId: r.owner_id }));
}

export async function imageStats(db: Db, imageId: string): Promise<{ derived: number; launches: number; comments: number }> {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('images').select(eb.fn.countAll<string>().as('n')).where('parent_image_id', '=', imageId).where('deleted_at', 'is', null).as('derived'),
      eb.selectFrom('demos').select(eb.fn.countAll<string>().as('n')).where('image_id', '=', imageId).as('launches'),
      eb.selectFrom('comments').select(eb.fn.countAll<string>().as('n')).where('image_id', '=', imageId).where('deleted_at', 'is', null).as('comments'),
    ])
    .executeTakeFirstOrThrow();
  return { derived: Number(row.derived), launches: Number(row.launches), comments: Number(row.comments) };
}

export interface CommentView {
  authorId: string;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
}

export async function latestComments(db: Db, imageId: string, limit: number): Promise<CommentView[]> {
  const rows = await db
    .selectFrom('comments')
    .select(['author_id', 'body', 'created_at', 'edited_at'])
    .where('image_id', '=', imageId)
    .where('deleted_at', 'is', null)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ authorId: r.author_id, body: r.body, createdAt: r.created_at, editedAt: r.edited_at }));
}

/** Ready catalog images a viewer may launch: official and shared ones, and their own. */
function launchableBy(db: Db, viewerId: string) {
  return db
    .selectFrom('images')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('status', '=', 'ready')
    .where((eb) => eb.or([eb('visibility', 'in', ['official', 'shared']), eb('owner_id', '=', viewerId)]));
}

/**
 * A user's own saved images, newest first: what `/demo resume`, `share`, `unshare` and `transfer` choose
 * from. One still being saved is among them, so the command can say so rather than "not found".
 */
export async function savedImagesOf(db: Db, ownerId: string, limit = 200): Promise<CatalogImage[]> {
  const rows = await db
    .selectFrom('images')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where('status', 'in', ['ready', 'creating'])
    .where('origin', '=', 'saved')
    .where('owner_id', '=', ownerId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toImage);
}

/**
 * Images a viewer may see that the words might name (id, display or GCE name or a prefix of one, words
 * of the title): the candidates the command resolver (src/resolve.ts) picks from, newest first.
 */
export async function imagesNamedLike(db: Db, viewerId: string, text: string, limit = 50): Promise<CatalogImage[]> {
  const needle = text.trim().toLowerCase();
  const tsQuery = toPrefixQuery(needle);
  if (!needle) return [];
  const like = `${needle.replace(/[\\%_]/g, '\\$&')}%`;
  const rows = await launchableBy(db, viewerId)
    .where((eb) =>
      eb.or([
        ...(isUuid(needle) ? [eb('id', '=', needle)] : []),
        eb('display_name', 'like', like),
        eb('gce_name', 'like', like),
        eb(eb.fn('lower', ['title']), '=', needle),
        ...(tsQuery ? [sql<boolean>`search @@ to_tsquery('simple', ${tsQuery})`] : []),
      ]),
    )
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(toImage);
}

/**
 * The images a viewer may launch whose title or GCE name appears in a text, as whole words (a message a
 * shortcut was used on). Strings are compared in SQL first (bounded), then at word boundaries here.
 */
export async function imagesNamedIn(db: Db, viewerId: string, text: string, limit: number): Promise<CatalogImage[]> {
  const haystack = text.toLowerCase().slice(0, 40_000);
  if (!haystack.trim()) return [];
  const rows = await launchableBy(db, viewerId)
    .where(sql<boolean>`(length(title) >= 3 and strpos(${haystack}, lower(title)) > 0) or strpos(${haystack}, gce_name) > 0`)
    .orderBy('launch_count', 'desc')
    .orderBy('created_at', 'desc')
    .limit(limit * 4)
    .execute();
  const found = rows.map(toImage).filter((i) => mentions(haystack, i.title.toLowerCase()) || mentions(haystack, i.gceName));
  // "Acme CRM v2" names that image, not also "Acme CRM".
  return found
    .filter((i) => !found.some((o) => o !== i && o.title.toLowerCase().includes(i.title.toLowerCase()) && o.title.length > i.title.length))
    .slice(0, limit);
}

function mentions(haystack: string, name: string): boolean {
  if (name.length < 3) return false;
  for (let at = haystack.indexOf(name); at >= 0; at = haystack.indexOf(name, at + 1)) {
    const before = haystack[at - 1] ?? ' ';
    const after = haystack[at + name.length] ?? ' ';
    if (!/[\p{L}\p{N}]/u.test(before) && !/[\p{L}\p{N}]/u.test(after)) return true;
  }
  return false;
}

export function isUuid(s: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);
}

/** A labelled machine image the last catalog sync could not store, and why. */
export interface SyncSkip {
  name: string;
  reason: string;
}

const SYNC_SKIPS_KEY = 'catalog.sync_skips';

/** Kept by the worker's sync, so the admin fleet (web role) shows them without asking GCE. */
export async function recordSyncSkips(db: Db, skipped: SyncSkip[], now: Date): Promise<void> {
  await putSetting(db, SYNC_SKIPS_KEY, { at: now.toISOString(), skipped }, 'catalog-sync', now);
}

/** What the last sync skipped; none before the first sync. */
export async function lastSyncSkips(db: Db): Promise<{ at: Date; skipped: SyncSkip[] } | null> {
  const saved = await getSetting<{ at: string; skipped: SyncSkip[] }>(db, SYNC_SKIPS_KEY);
  return saved ? { at: new Date(saved.at), skipped: saved.skipped } : null;
}
