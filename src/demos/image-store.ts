import { sql } from 'kysely';
import type { AppContext } from '../context.ts';
import { storageRateSql } from '../prices/store.ts';
import { monthlyStorageUsd } from './costs.ts';

/** A user's saved images, as lists and look-ups (no side effects). */

export interface SavedImage {
  id: string;
  ownerId: string | null;
  title: string;
  displayName: string;
  gceName: string;
  status: 'creating' | 'ready' | 'deleting' | 'deleted' | 'failed';
  visibility: 'private' | 'pending' | 'shared' | 'official';
  createdAt: Date;
  storageBytes: number | null;
  /** What keeping it costs a month (machine-image storage in its region); null when unknown. */
  monthlyUsd: number | null;
  parentTitle: string | null;
  retentionWarnedAt: Date | null;
}

function imagesQuery(ctx: AppContext) {
  return ctx.db
    .selectFrom('images as i')
    .leftJoin('images as p', 'p.id', 'i.parent_image_id')
    .select([
      'i.id',
      'i.owner_id',
      'i.title',
      'i.display_name',
      'i.gce_name',
      'i.status',
      'i.visibility',
      'i.created_at',
      'i.storage_bytes',
      'p.title as parent_title',
      'i.retention_warned_at',
    ])
    .select(storageRateSql(sql.ref('i.region'), 'machine-image').as('storage_rate'))
    .where('i.deleted_at', 'is', null)
    .where('i.origin', '=', 'saved');
}

type Row = Awaited<ReturnType<ReturnType<typeof imagesQuery>['executeTakeFirstOrThrow']>>;

export const toSaved = (r: Row): SavedImage => ({
  id: r.id,
  ownerId: r.owner_id,
  title: r.title,
  displayName: r.display_name,
  gceName: r.gce_name,
  status: r.status,
  visibility: r.visibility,
  createdAt: r.created_at,
  storageBytes: r.storage_bytes === null ? null : Number(r.storage_bytes),
  monthlyUsd: monthlyStorageUsd(r.storage_bytes, r.storage_rate),
  parentTitle: r.parent_title,
  retentionWarnedAt: r.retention_warned_at,
});

export async function myImages(ctx: AppContext, userId: string, page: { offset: number; limit: number }): Promise<{ items: SavedImage[]; total: number }> {
  const [rows, count] = await Promise.all([
    imagesQuery(ctx).where('i.owner_id', '=', userId).orderBy('i.created_at', 'desc').orderBy('i.id').offset(page.offset).limit(page.limit).execute(),
    ctx.db
      .selectFrom('images')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .where('owner_id', '=', userId)
      .where('origin', '=', 'saved')
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toSaved), total: Number(count.n) };
}

export async function getSavedImage(ctx: AppContext, imageId: string): Promise<SavedImage | null> {
  if (!/^[0-9a-f-]{36}$/i.test(imageId)) return null;
  const row = await imagesQuery(ctx).where('i.id', '=', imageId).executeTakeFirst();
  return row ? toSaved(row) : null;
}
