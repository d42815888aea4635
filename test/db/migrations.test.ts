import { afterAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import type { DbHandle } from '../../src/platform/db.ts';
import { migrateToLatest, migrationsApplied, LATEST_MIGRATION } from '../../src/platform/migrations.ts';
import { EMPTY_DATABASES } from '../harness/empty-databases.ts';

const DEMO_ID = '00000000-0000-4000-8000-000000000001';
const T0 = new Date('2026-03-02T09:00:00Z');

async function seedDemo(h: DbHandle): Promise<void> {
  const image = await h.db
    .insertInto('images')
    .values({ project: 'p', gce_name: 'crm', title: 'CRM', visibility: 'official', origin: 'catalog_label', created_at: T0, updated_at: T0 })
    .returning('id')
    .executeTakeFirstOrThrow();
  await h.db
    .insertInto('demos')
    .values({
      id: DEMO_ID,
      owner_id: 'U_ALICE',
      image_id: image.id,
      instance_name: 'demo-1',
      zone: 'us-central1-a',
      machine_type: 'e2-medium',
      state: 'running',
      expires_at: new Date(T0.getTime() + 8 * 3600_000),
      created_at: T0,
      updated_at: T0,
    })
    .execute();
}

function interval(h: DbHandle, start: string, end: string | null) {
  return h.db
    .insertInto('usage_intervals')
    .values({
      demo_id: DEMO_ID,
      user_id: 'U_ALICE',
      image_id: sql<string>`(select image_id from demos where id = ${DEMO_ID})`,
      machine_type: 'e2-medium',
      zone: 'us-central1-a',
      started_at: start,
      ended_at: end,
    })
    .execute();
}

describe.each(EMPTY_DATABASES)('migrations on %s', (_name, open) => {
  let h: DbHandle;
  let done: () => Promise<void>;
  afterAll(async () => done?.());

  test('apply from empty, then report applied; a second run is a no-op', async () => {
    ({ h, done } = await open());
    const applied = await migrateToLatest(h.db);
    expect(applied[0]).toBe('0001_initial');
    expect(applied.at(-1)).toBe(LATEST_MIGRATION);
    expect(await migrateToLatest(h.db)).toEqual([]);
    expect(await migrationsApplied(h.db)).toBe(true);
    await seedDemo(h);
  });

  test('the exclusion constraint refuses overlapping usage intervals of one demo', async () => {
    await interval(h, '2026-03-02T09:00:00Z', '2026-03-02T10:00:00Z');
    // Touching the end is fine: intervals are [start, end).
    await interval(h, '2026-03-02T10:00:00Z', '2026-03-02T11:00:00Z');
    await expect(interval(h, '2026-03-02T10:30:00Z', '2026-03-02T12:00:00Z')).rejects.toThrow(/exclusion constraint|conflicting key/);
    // An open interval overlaps everything after its start.
    await interval(h, '2026-03-02T12:00:00Z', null);
    await expect(interval(h, '2026-03-03T00:00:00Z', '2026-03-03T01:00:00Z')).rejects.toThrow(/exclusion constraint|conflicting key/);
    const count = await h.db
      .selectFrom('usage_intervals')
      .select((eb) => eb.fn.countAll<string>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(count.n)).toBe(3);
  });

  test('an interval must end after it starts', async () => {
    await expect(interval(h, '2026-03-05T10:00:00Z', '2026-03-05T09:00:00Z')).rejects.toThrow(/check constraint/);
  });
});
