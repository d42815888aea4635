import { randomUUID } from 'node:crypto';
import { eventually, type ManualClock, type TestApp } from '../harness/app.ts';
import { RECONCILE_TASK } from '../../src/demos/reconciler.ts';
import type { StoredEphemeral } from '../../sim/slack/index.ts';

/**
 * History written straight into the ledger (a week of usage through the UI would be silly); the
 * behaviour under test then runs through the real commands, jobs and schedules.
 */

export async function insertImage(t: TestApp, title = 'CRM demo'): Promise<string> {
  const now = new Date('2026-01-01T00:00:00Z');
  const row = await t.db
    .insertInto('images')
    .values({
      project: 'demo-test-project',
      gce_name: `img-${randomUUID().slice(0, 8)}`,
      title,
      owner_id: null,
      visibility: 'official',
      origin: 'published',
      parent_image_id: null,
      source_demo_id: null,
      app_scheme: null,
      app_port: null,
      app_path: null,
      thread_channel: null,
      thread_ts: null,
      storage_bytes: null,
      created_at: now,
      updated_at: now,
      deleted_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export interface DemoSeed {
  owner: string;
  imageId: string;
  machineType?: string;
  zone?: string;
  state?: 'running' | 'stopped' | 'deleted';
  /** [start, end) pairs; end null = still running. */
  intervals: Array<[string, string | null]>;
}

export async function insertDemo(t: TestApp, d: DemoSeed): Promise<string> {
  const id = randomUUID();
  const at = new Date(d.intervals[0]?.[0] ?? '2026-01-01T00:00:00Z');
  const open = d.intervals.some(([, end]) => end === null);
  const state = d.state ?? (open ? 'running' : 'stopped');
  await t.db
    .insertInto('demos')
    .values({
      id,
      owner_id: d.owner,
      image_id: d.imageId,
      instance_name: `demo-${id.replaceAll('-', '')}`,
      zone: d.zone ?? 'us-central1-a',
      machine_type: d.machineType ?? 'e2-standard-2',
      state,
      progress: state === 'running' ? 'ready' : 'idle',
      failure_reason: null,
      failure_kind: null,
      external_ip: null,
      internal_ip: null,
      app_ready: null,
      dm_channel: null,
      dm_ts: null,
      expires_at: new Date('2026-12-31T00:00:00Z'),
      nudged_at: null,
      created_at: at,
      updated_at: at,
    })
    .execute();
  for (const [start, end] of d.intervals) {
    await t.db
      .insertInto('usage_intervals')
      .values({
        demo_id: id,
        user_id: d.owner,
        image_id: d.imageId,
        machine_type: d.machineType ?? 'e2-standard-2',
        zone: d.zone ?? 'us-central1-a',
        started_at: new Date(start),
        ended_at: end === null ? null : new Date(end),
      })
      .execute();
  }
  return id;
}

/** Run a slash command and wait for the ephemeral answer the user sees (ack or response_url). */
export async function ask(t: TestApp, user: string, text: string, channel = 'C_GENERAL'): Promise<StoredEphemeral & { all: string }> {
  const before = t.fake.ephemerals(user).length;
  const sent = await t.slack.command({ user, channel, text });
  if (sent.response.status !== 200) throw new Error(`/demo ${text} was refused with HTTP ${sent.response.status}`);
  const shown = await eventually(
    () => t.fake.ephemerals(user),
    (list) => list.length > before,
    10_000,
  );
  const last = shown.at(-1)!;
  return { ...last, all: `${last.text}\n${JSON.stringify(last.blocks ?? [])}` };
}

export function task(t: TestApp, name: string) {
  const found = t.app.scheduler.tasks.find((x) => x.name === name);
  if (!found) throw new Error(`no scheduled task ${name}; have ${t.app.scheduler.tasks.map((x) => x.name).join(', ')}`);
  return found;
}

/** A demo's usage intervals, oldest first. */
export function intervalsOf(t: TestApp, demoId: string) {
  return t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demoId).orderBy('started_at').execute();
}

/** One reconcile at `iso`, in a fresh 5-minute slot (a slot runs once across replicas). */
export async function reconcileOnce(t: TestApp, clock: ManualClock, iso: string): Promise<void> {
  clock.set(iso);
  await task(t, RECONCILE_TASK).tick(clock.now());
}

/** Wait until the worker has read the billing catalog's suspended-VM rates (the pool and suspended lines price with them). */
export async function suspendedRatesLoaded(t: TestApp): Promise<void> {
  await eventually(
    () => t.db.selectFrom('price_rates').select('region').where('family', '=', 'suspended').execute(),
    (rows) => rows.length > 0,
  );
}
