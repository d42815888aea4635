/** Export journeys for tests: a saved image of one's own, the export row, its DM. */
import { readFileSync } from 'node:fs';
import type { TestApp } from '../harness/app.ts';
import { eventually } from '../harness/app.ts';

/** A saved (private) image owned by `owner`, backed by a machine image in the simulator. */
export async function seedOwnedImage(t: TestApp, owner: string, gceName: string, title = `${owner} ${gceName}`): Promise<string> {
  if (!t.sim.machineImage(gceName)) t.sim.addMachineImage({ name: gceName, machineType: 'e2-medium', description: title });
  const now = new Date();
  const row = await t.db
    .insertInto('images')
    .values({
      project: t.sim.project,
      gce_name: gceName,
      title,
      owner_id: owner,
      visibility: 'private',
      origin: 'saved',
      parent_image_id: null,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function exportsOf(t: TestApp, requester?: string) {
  let q = t.db.selectFrom('exports').selectAll().orderBy('created_at');
  if (requester) q = q.where('requester_id', '=', requester);
  return q.execute();
}

type ExportRow = Awaited<ReturnType<typeof exportsOf>>[number];

/**
 * Wait for the newest export of a user (newer than `after`, an export id or count) to reach a state,
 * and optionally a progress.
 */
export async function exportInState(t: TestApp, requester: string, state: string, progress?: string, timeoutMs = 20_000): Promise<ExportRow> {
  const row = await eventually(
    async () => (await exportsOf(t, requester)).at(-1),
    (e) => e?.state === state && (progress === undefined || e.progress === progress),
    timeoutMs,
  );
  return row!;
}

/** Wait until the export's DM says something (the DM follows the row: it is edited after each change). */
export async function dmSaying(t: TestApp, exportId: string, words: string, timeoutMs = 20_000): Promise<string> {
  return eventually(
    async () => {
      const row = await t.db.selectFrom('exports').select(['dm_channel', 'dm_ts']).where('id', '=', exportId).executeTakeFirst();
      const m = row?.dm_channel && row.dm_ts ? t.fake.message(row.dm_channel, row.dm_ts) : undefined;
      return m ? JSON.stringify(m.blocks ?? []) : '';
    },
    (text) => text.includes(words),
    timeoutMs,
  );
}

/** The export's DM as the user sees it now. */
export function exportDm(t: TestApp, e: { dm_channel: string | null; dm_ts: string | null }) {
  if (!e.dm_channel || !e.dm_ts) throw new Error('the export has no status message yet');
  const m = t.fake.message(e.dm_channel, e.dm_ts);
  if (!m) throw new Error('export status message not found in the fake');
  return m;
}

/** Temporary resources of exports still in the simulator. */
export function temporaries(t: TestApp) {
  return {
    instances: t.sim.instances.filter((i) => i.labels.purpose === 'export').map((i) => i.name),
    images: t.sim.images.map((i) => i.name),
  };
}

export interface GcloudFixture {
  endpoint: { project: string; location: string };
  build: { steps: Array<{ name: string; args: string[] }>; tags: string[]; timeout: string };
  clientIdentity: { gcloudSends: string[]; apiCallersSend: string[] };
}

export function loadFixture(name: string, vars: Record<string, string>): GcloudFixture {
  let text = readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{${k}}`, v);
  return JSON.parse(text) as GcloudFixture;
}
