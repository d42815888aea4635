import type { Config } from '../../src/config.ts';
import type { FakeSlack, StoredEphemeral, StoredMessage, StoredView } from '../slack/index.ts';
import type { GceInstance, GceMachineImage, GceOperation } from '../gce/index.ts';
import type { ActivityPattern } from '../monitoring/index.ts';
import { usesRealGcp } from '../../src/local-safety.ts';

/** What the page needs to draw one user's Slack: the same data Slack's own client would hold. */
export interface Snapshot {
  seq: number;
  me: string;
  team: { name: string };
  bot: { userId: string; name: string };
  users: Array<{ id: string; name: string; realName: string; title: string; tz: string; isBot: boolean }>;
  channels: Array<{ id: string; name: string; isPrivate: boolean }>;
  /** The app's DM with `me` (null until someone opens it). */
  appDm: string | null;
  /** channel id → every message (replies included), oldest first. */
  messages: Record<string, StoredMessage[]>;
  ephemerals: StoredEphemeral[];
  /** Open modal stack, bottom first. */
  modals: StoredView[];
  home: StoredView | null;
  gce: GceSnapshot;
  banner: { realGcp: boolean; project: string; gceMode: Config['gce']['mode']; bindAddress: string };
}

export interface GceSnapshot {
  project: string;
  mode: Config['gce']['mode'];
  /** False when GCE is real or an emulator: nothing to list from here. */
  simulated: boolean;
  instances: Array<{
    name: string;
    zone: string;
    status: string;
    machineType: string;
    labels: Record<string, string>;
    externalIp: string | null;
    internalIp: string | null;
    /** What the simulated user does on it (Cloud Monitoring's series follow it); null without the Monitoring fake. */
    activity: ActivityPattern | null;
  }>;
  machineImages: Array<{ name: string; status: string; labels: Record<string, string>; description: string; sizeGb: number }>;
  images: Array<{ name: string; status: string; labels: Record<string, string> }>;
  operations: Array<{ name: string; type: string; target: string; status: string; progress: number; error: string | null; insertTime: string }>;
}

/**
 * What the page reads from the simulator. `images` is optional so the panel shows them as soon as the
 * simulator grows an images collection (export needs one).
 */
export interface SimulatedGce {
  readonly project: string;
  readonly instances: GceInstance[];
  readonly machineImages: GceMachineImage[];
  readonly operations: GceOperation[];
  readonly images?: ReadonlyArray<{ name: string; status?: string; labels?: Record<string, string> }>;
  /** Cloud Monitoring beside it: the page sets what a local user does on a VM (the idle check reads it). */
  readonly monitoring?: { readonly activity: { set(instanceName: string, pattern: ActivityPattern): void; at(instanceName: string): ActivityPattern } };
}

const RECENT_OPERATIONS = 15;

export function snapshot(input: { fake: FakeSlack; sim?: SimulatedGce; config: Config; user: string; seq: number }): Snapshot {
  const { fake, config, user } = input;
  const dir = fake.workspace.directory;
  const appDm = fake.imChannel(user) ?? null;
  const channels = [...dir.channels.values()].filter((c) => !c.is_im);
  const messages: Record<string, StoredMessage[]> = {};
  for (const c of channels) messages[c.id] = fake.messages(c.id);
  if (appDm) messages[appDm] = fake.messages(appDm);
  return {
    seq: input.seq,
    me: user,
    team: { name: fake.identity.teamName },
    bot: { userId: fake.identity.botUserId, name: fake.identity.botName },
    users: [...dir.users.values()].map((u) => ({ id: u.id, name: u.name, realName: u.real_name, title: u.title ?? '', tz: u.tz, isBot: u.is_bot ?? false })),
    channels: channels.map((c) => ({ id: c.id, name: c.name, isPrivate: c.is_private })),
    appDm,
    messages,
    ephemerals: fake.ephemerals(user),
    modals: fake.views(user),
    home: fake.home(user) ?? null,
    gce: gceSnapshot(config, input.sim),
    banner: { realGcp: usesRealGcp(config), project: config.gce.project, gceMode: config.gce.mode, bindAddress: config.bindAddress },
  };
}

export function gceSnapshot(config: Config, sim: SimulatedGce | undefined): GceSnapshot {
  const base = { project: sim?.project ?? config.gce.project, mode: config.gce.mode };
  if (!sim) return { ...base, simulated: false, instances: [], machineImages: [], images: [], operations: [] };
  return {
    ...base,
    simulated: true,
    instances: sim.instances.map((i) => {
      const nic = i.networkInterfaces[0];
      return {
        name: i.name,
        zone: last(i.zone),
        status: i.status,
        machineType: last(i.machineType),
        labels: i.labels,
        externalIp: nic?.accessConfigs[0]?.natIP ?? null,
        internalIp: nic?.networkIP ?? null,
        activity: sim.monitoring?.activity.at(i.name) ?? null,
      };
    }),
    machineImages: sim.machineImages.map((m) => ({
      name: m.name,
      status: m.status,
      labels: m.labels,
      description: m.description,
      sizeGb: Math.round(Number(m.totalStorageBytes) / 2 ** 30),
    })),
    images: (sim.images ?? []).map((i) => ({ name: i.name, status: i.status ?? 'READY', labels: i.labels ?? {} })),
    operations: [...sim.operations]
      .sort((a, b) => Date.parse(b.insertTime) - Date.parse(a.insertTime)) // offsets change with summer time: compare instants
      .slice(0, RECENT_OPERATIONS)
      .map((o) => ({
        name: o.name,
        type: o.operationType,
        target: last(o.targetLink),
        status: o.status,
        progress: o.progress,
        error: o.error?.errors.map((e) => e.code).join(', ') ?? (o.httpErrorStatusCode ? String(o.httpErrorStatusCode) : null),
        insertTime: o.insertTime,
      })),
  };
}

function last(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}
