import { recordAudit } from '../audit/store.ts';
import type { AppContext } from '../context.ts';
import type { Db } from '../platform/db.ts';
import { getSetting, putSetting } from '../platform/settings.ts';
import { context, escapeMrkdwn, section } from '../platform/blocks.ts';
import { consoleLinks, type Instance } from '../platform/compute/port.ts';
import { openDm } from '../platform/slack-messages.ts';

/**
 * A VM labelled managed-by=demo-vm that no live demo owns costs money nobody sees. Admins hear about
 * each one once: the report is recorded in settings (unique key) before anyone is told.
 */

// Settings keys from when this lived in accounting: the rows already stored keep them.
const keyOf = (vm: Instance) => `accounting.unknown_vm:${vm.zone}/${vm.name}`;

/** A labelled VM no live demo owns, as the last reconcile saw it (the admin fleet shows these). */
export type Orphan = Pick<Instance, 'name' | 'zone' | 'status' | 'labels'>;
export interface Orphans {
  vms: Orphan[];
  /** When the reconcile that saw them listed GCE. */
  at: Date;
}

const ORPHANS_KEY = 'accounting.orphans';

/** Kept by the worker's reconcile, so the web role shows them without asking GCE. */
export async function recordOrphans(db: Db, vms: Instance[], now: Date): Promise<void> {
  const value = { at: now.toISOString(), vms: vms.map(({ name, zone, status, labels }) => ({ name, zone, status, labels })) };
  await putSetting(db, ORPHANS_KEY, value, 'reconciler', now);
}

/** null until a reconcile has run. */
export async function lastOrphans(db: Db): Promise<Orphans | null> {
  const saved = await getSetting<{ at: string; vms: Orphan[] }>(db, ORPHANS_KEY);
  return saved ? { at: new Date(saved.at), vms: saved.vms } : null;
}

export async function reportUnknownVm(ctx: AppContext, vm: Instance, demoState: string | null, now: Date): Promise<boolean> {
  const recorded = await ctx.db
    .insertInto('settings')
    .values({
      key: keyOf(vm),
      value: JSON.stringify({ zone: vm.zone, name: vm.name, status: vm.status, labels: vm.labels, demoState, reportedAt: now.toISOString() }),
      updated_by: 'reconciler',
      updated_at: now,
    })
    .onConflict((oc) => oc.column('key').doNothing())
    .returning('key')
    .executeTakeFirst();
  if (!recorded) return false;
  await recordAudit(ctx.db, {
    at: now,
    actorId: 'reconciler',
    action: 'vm.unknown',
    resourceKind: 'instance',
    resourceId: `${vm.zone}/${vm.name}`,
    after: { status: vm.status, labels: vm.labels, demoState },
  });
  const admins = ctx.config.adminUserIds;
  ctx.log.warn({ zone: vm.zone, name: vm.name, demoState, admins: admins.length }, 'found a managed VM that no demo owns');
  const message = unknownVmMessage(ctx.config.gce.project, vm, demoState);
  try {
    for (const admin of admins) await ctx.poster.postMessage({ channel: await openDm(ctx.slack, admin), ...message });
  } catch (err) {
    // Not told: forget the record so the next round tries again.
    await ctx.db.deleteFrom('settings').where('key', '=', keyOf(vm)).execute();
    throw err;
  }
  return true;
}

export function unknownVmMessage(project: string, vm: Instance, demoState: string | null) {
  const links = consoleLinks(project, vm.zone, vm.name);
  const why = demoState ? `its demo is \`${demoState}\`` : 'no demo in the app has that name';
  const labels = Object.entries(vm.labels)
    .map(([k, v]) => `${k}=${v}`)
    .join(', ');
  const text = `:warning: A VM labelled managed-by=demo-vm is not accounted for: \`${vm.name}\` in ${vm.zone} (${vm.status}, ${vm.machineType}); ${why}.`;
  return {
    text,
    blocks: [
      section(`${text}\nIf nobody needs it, delete it: <${links.console}|open it in the Cloud Console>. Its hours are not in any usage report.`),
      context(`Labels: ${escapeMrkdwn(labels || 'none')}. You will not be told about this VM again.`),
    ],
  };
}
