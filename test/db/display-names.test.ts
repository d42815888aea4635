import { sql } from 'kysely';
import { Migrator } from 'kysely/migration';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { DbHandle } from '../../src/platform/db.ts';
import { MIGRATIONS, migrateToLatest } from '../../src/platform/migrations.ts';
import { EMPTY_DATABASES } from '../harness/empty-databases.ts';

/** Migration 0010: display names backfilled for rows that existed, and picked by the database for new ones. */

const T0 = new Date('2026-03-02T09:00:00Z');
const NAME = /^[a-z0-9]+(-[a-z0-9]+)*-[a-z2-9]{4}$/;

function image(h: DbHandle, gceName: string, title: string, ownerId: string | null) {
  return h.db
    .insertInto('images')
    .values({
      project: 'p',
      gce_name: gceName,
      title,
      owner_id: ownerId,
      visibility: ownerId ? 'private' : 'official',
      origin: ownerId ? 'saved' : 'catalog_label',
      created_at: T0,
      updated_at: T0,
    })
    .returning(['id', 'display_name'])
    .executeTakeFirstOrThrow();
}

/** A demo row as launch writes it, without a name: the database picks one. */
async function demo(h: DbHandle, id: string, imageId: string, ownerId: string): Promise<{ display_name: string }> {
  const { rows } = await sql<{ display_name: string }>`
    INSERT INTO demos (id, owner_id, image_id, instance_name, zone, machine_type, state, expires_at, created_at, updated_at)
    VALUES (${id}, ${ownerId}, ${imageId}, ${`demo-${id.replaceAll('-', '')}`}, 'z', 'e2-medium', 'running', ${T0}, ${T0}, ${T0})
    RETURNING display_name`.execute(h.db);
  return rows[0]!;
}

describe.each(EMPTY_DATABASES)('display names on %s', (_name, open) => {
  let h: DbHandle;
  let done: () => Promise<void>;
  beforeAll(async () => void ({ h, done } = await open()));
  afterAll(async () => done?.());

  test('rows from before 0010 get a slug, the owner handle and a suffix; all unique', async () => {
    const before = Object.keys(MIGRATIONS)
      .filter((n) => n < '0010')
      .at(-1)!;
    const migrator = new Migrator({ db: h.db, provider: { getMigrations: async () => MIGRATIONS } });
    expect((await migrator.migrateTo(before)).error).toBeUndefined();
    await h.db.insertInto('user_names').values({ user_id: 'U_ALICE', name: 'alice', fetched_at: T0 }).execute();
    // Inserted through Kysely's typed builder; the column does not exist yet, so it is left out.
    const crm = await h.db
      .insertInto('images')
      .values({ project: 'p', gce_name: 'crm-demo', title: 'Acme CRM', visibility: 'official', origin: 'catalog_label', created_at: T0, updated_at: T0 })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Three demos of Alice's, written as the schema before 0010 had them.
    await sql`
      INSERT INTO demos (id, owner_id, image_id, instance_name, zone, machine_type, state, expires_at, created_at, updated_at)
      SELECT ('00000000-0000-4000-8000-00000000000' || n)::uuid, 'U_ALICE', ${crm.id}, 'demo-' || n, 'z', 'e2-medium', 'running', ${T0}, ${T0}, ${T0}
        FROM generate_series(1, 3) n`.execute(h.db);
    await migrateToLatest(h.db);
    const names = (await h.db.selectFrom('demos').select('display_name').execute()).map((r) => r.display_name);
    expect(names).toHaveLength(3);
    expect(new Set(names).size).toBe(3);
    for (const n of names) expect(n).toMatch(/^acme-crm-alice-[a-z2-9]{4}$/);
    const img = await h.db.selectFrom('images').select('display_name').where('id', '=', crm.id).executeTakeFirstOrThrow();
    expect(img.display_name).toMatch(/^acme-crm-[a-z2-9]{4}$/);
  });

  test('new rows are named on insert: long and odd titles make short slugs; an unknown owner is left out', async () => {
    const saved = await image(h, 'img-1', 'Contoso CRM — EMEA edition (2026)', 'U_ALICE');
    expect(saved.display_name).toMatch(/^contoso-crm-emea-alice-[a-z2-9]{4}$/);
    const odd = await image(h, 'img-2', '¡¿ — !!', 'U_NOBODY');
    expect(odd.display_name).toMatch(/^image-[a-z2-9]{4}$/);
    const long = await image(h, 'img-3', 'Supercalifragilisticexpialidocious platform', null);
    expect(long.display_name).toMatch(/^supercalifragilistic-[a-z2-9]{4}$/);
    const d = await demo(h, '00000000-0000-4000-8000-000000000009', saved.id, 'U_BOB');
    expect(d.display_name).toMatch(/^contoso-crm-emea-[a-z2-9]{4}$/);
    for (const n of [saved, odd, long, d].map((r) => r.display_name)) expect(n).toMatch(NAME);
  });

  test('the database refuses a duplicate name', async () => {
    const a = await image(h, 'img-4', 'Dup', null);
    await expect(
      h.db
        .insertInto('images')
        .values({
          project: 'p',
          gce_name: 'img-5',
          title: 'Dup',
          visibility: 'official',
          origin: 'catalog_label',
          created_at: T0,
          updated_at: T0,
          display_name: a.display_name,
        })
        .execute(),
    ).rejects.toThrow(/unique|duplicate/i);
  });
});
