/**
 * The mixed Slack traffic of the ack and capacity benchmarks, as people make it:
 *
 *   3/10 `/demo browse`     a command: the catalog modal opens (views.open with its trigger_id; an
 *                           apology instead counts as never shown)
 *   2/10 `/demo help`       a command answered in the ack itself
 *   3/10 catalog filter     a click in an open browse modal (views.update of that modal)
 *   2/10 Stop / Start       the owner clicks the button their demo's status DM shows now (Stop when
 *                           running, Start when stopped); the worker stops or starts the VM on the GCE
 *                           simulator and edits the DM (chat.update), or the app explains why not
 *
 * Each request is freshly built from the fake Slack's state and signed (its own trigger_id and
 * response_url). A person does not click again before they saw the answer to their last click (or
 * 5 s passed): when every filter user or every demo owner is waiting, a `/demo browse` goes out in
 * place of the click (counted as `substituted`). Requests of one kind go to different people.
 *
 * What the user sees after a request is read from the fake Slack's recorded calls (visible.ts).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { blockActions, signedHeaders, slashCommand, type JsonObject, type SlackRequest } from './fakes.ts';
import type { DbHandle } from '../../src/platform/db.ts';
import type { InboundSlack } from '../../test/harness/slack-requests.ts';
import { benchUsers, catalogSynced, type Fakes } from './env.ts';
import { openBrowse, openLaunchModal, readyDemo } from './flows.ts';
import { generateLoad, type GeneratedLoad, type PreparedRequest } from './load-generator.ts';
import { progress, summarize, type Summary } from './report.ts';
import { responseUrlKey, VisibleTracker, wallNow } from './visible.ts';

export type Kind = 'browse' | 'help' | 'filter' | 'stop';
export const KINDS: Kind[] = ['browse', 'help', 'filter', 'stop'];
const MIX: Kind[] = ['browse', 'filter', 'help', 'stop', 'browse', 'filter', 'help', 'stop', 'browse', 'filter'];
/** Clicks: what the click → visible goal is about. */
export const CLICKS: Kind[] = ['filter', 'stop'];
const FILTERS = ['official', 'shared', 'all', 'mine'];
const PATIENCE_MS = 5_000;
/** An image without a declared app: no readiness probe runs when its demos start. */
export const PLAIN_IMAGE = 'bench-plain';

export interface MixSizes {
  commandUsers: number;
  filterUsers: number;
  demos: number;
}

/** People for each role: command users, filter users (a browse modal open), demo owners (one demo each). */
export function mixUsers(s: MixSizes) {
  const all = benchUsers(s.commandUsers + s.filterUsers + s.demos).map((u) => u.id);
  return {
    commandUsers: all.slice(0, s.commandUsers),
    filterUsers: all.slice(s.commandUsers, s.commandUsers + s.filterUsers),
    owners: all.slice(s.commandUsers + s.filterUsers),
  };
}

export function totalUsers(s: MixSizes): number {
  return s.commandUsers + s.filterUsers + s.demos;
}

/** Before the app starts: the plain image in the simulator's catalog. */
export function addPlainImage(f: Fakes): void {
  f.sim.addMachineImage({ name: PLAIN_IMAGE, description: 'Plain VM for the benchmarks.', labels: { 'demo-vm-catalog': 'true' }, machineType: 'e2-medium' });
}

interface FilterActor {
  user: string;
  viewId: string;
  busyUntil: number;
}
interface DemoActor {
  owner: string;
  channel: string;
  ts: string;
  busyUntil: number;
}

export interface Mix {
  f: Fakes;
  commandUsers: string[];
  filters: FilterActor[];
  demos: DemoActor[];
}

/** Through the real app: every owner launches a demo (until ready), every filter user opens the catalog. */
export async function prepareMix(f: Fakes, slack: InboundSlack, handle: DbHandle, sizes: MixSizes): Promise<Mix> {
  const people = mixUsers(sizes);
  await catalogSynced(handle, 5);
  progress(`setting up: ${sizes.demos} demos, ${sizes.filterUsers} open catalog modals`);
  const demos: DemoActor[] = [];
  for (let i = 0; i < people.owners.length; i += 10) {
    const group = people.owners.slice(i, i + 10);
    await Promise.all(
      group.map(async (owner) => {
        const modal = await openLaunchModal(f, slack, owner, PLAIN_IMAGE);
        await slack.submit({ user: owner, viewId: modal.id });
      }),
    );
    for (const owner of group) {
      const d = await readyDemo(handle, owner, 60_000);
      demos.push({ owner, channel: d.dm_channel!, ts: d.dm_ts!, busyUntil: 0 });
    }
  }
  const filters: FilterActor[] = [];
  for (let i = 0; i < people.filterUsers.length; i += 10) {
    const views = await Promise.all(people.filterUsers.slice(i, i + 10).map((user) => openBrowse(f, slack, user)));
    views.forEach((v, j) => filters.push({ user: people.filterUsers[i + j]!, viewId: v.id, busyUntil: 0 }));
  }
  return { f, commandUsers: people.commandUsers, filters, demos };
}

/** The action_id of the Stop or Start button the message shows now, if any. */
function powerButton(blocks: JsonObject[] | undefined): string | undefined {
  const text = JSON.stringify(blocks ?? []);
  if (text.includes('"action_id":"demos.stop"')) return 'demos.stop';
  if (text.includes('"action_id":"demos.start"')) return 'demos.start';
  return undefined;
}

export interface MixedRun {
  load: GeneratedLoad;
  /** Ack latency (ms) by kind and overall, 200s only. */
  ack: Record<Kind | 'all', Summary>;
  /** Request sent → its result visible at the fake Slack (ms), by kind; a result never seen counts as Infinity. */
  visible: Record<Kind | 'clicks', Summary & { unseen: number }>;
  /** How the result of each kind was shown (method counts). */
  shownBy: Record<string, Record<string, number>>;
  /** Clicks that went out as `/demo browse` because everyone was waiting for an answer. */
  substituted: Record<string, number>;
  /** Stop/Start clicks by button. */
  powerClicks: Record<string, number>;
  unmatched: Record<string, number>;
  refused: Record<string, number>;
  /** p99 event-loop delay of this (fake Slack) thread during the load, ms. */
  mainLoopDelayP99: number;
  /** Achieved send rate (requests/s). */
  sendRate: number;
}

/** `rate` requests/s of the mix for `seconds` at the web process's receiver; then wait for the results. */
export async function runMix(mix: Mix, receiverUrl: string, rate: number, seconds: number, opts: { settleMs?: number } = {}): Promise<MixedRun> {
  const { f } = mix;
  const tracker = new VisibleTracker(f.fake);
  const substituted: Record<string, number> = {};
  const powerClicks: Record<string, number> = {};
  let seq = 0;
  let nextId = 1;
  let cmdI = 0;
  let filterI = 0;
  let demoI = 0;
  const pickFree = <T extends { busyUntil: number }>(xs: T[], start: number, ok: (x: T) => boolean = () => true): [T, number] | undefined => {
    const now = performance.now();
    for (let k = 0; k < xs.length; k++) {
      const x = xs[(start + k) % xs.length]!;
      if (x.busyUntil <= now && ok(x)) return [x, (start + k + 1) % xs.length];
    }
    return undefined;
  };

  const command = (id: number, text: 'browse' | 'help'): SlackRequest<unknown> => {
    const user = mix.commandUsers[cmdI++ % mix.commandUsers.length]!;
    const r = slashCommand(f.fake, { user, text });
    // Only the modal counts: an apology through the response_url is not the catalog.
    if (text === 'browse') tracker.expect(id, [`t:${r.triggerId}`]);
    return r;
  };

  const make = (): PreparedRequest => {
    const id = nextId++;
    let kind = MIX[seq++ % MIX.length]!;
    let built: SlackRequest<unknown> | undefined;
    if (kind === 'filter') {
      const got = pickFree(mix.filters, filterI);
      if (got) {
        const [a, next] = got;
        filterI = next;
        a.busyUntil = performance.now() + PATIENCE_MS;
        built = blockActions(f.fake, { user: a.user, on: { viewId: a.viewId }, actionId: 'catalog.filter', choice: FILTERS[id % FILTERS.length] });
        tracker.expect(id, [`v:${a.viewId}`, `t:${built.triggerId}`], () => void (a.busyUntil = 0));
      }
    } else if (kind === 'stop') {
      const got = pickFree(mix.demos, demoI, (d) => powerButton(f.fake.message(d.channel, d.ts)?.blocks) !== undefined);
      if (got) {
        const [d, next] = got;
        demoI = next;
        d.busyUntil = performance.now() + PATIENCE_MS;
        const actionId = powerButton(f.fake.message(d.channel, d.ts)?.blocks)!;
        powerClicks[actionId] = (powerClicks[actionId] ?? 0) + 1;
        built = blockActions(f.fake, { user: d.owner, on: { channel: d.channel, messageTs: d.ts }, actionId });
        tracker.expect(
          id,
          [`m:${d.channel}:${d.ts}`, `t:${built.triggerId}`, ...responseUrlKey(built.responseUrl), `e:${d.channel}:${d.owner}`, `d:${d.owner}`],
          () => void (d.busyUntil = 0),
        );
      }
    }
    if (!built) {
      if (kind !== 'browse' && kind !== 'help') substituted[kind] = (substituted[kind] ?? 0) + 1;
      if (kind !== 'help') kind = 'browse';
      built = command(id, kind);
    }
    return { id, kind, headers: { 'content-type': built.contentType, ...signedHeaders(f.signingSecret, built.body) }, body: built.body };
  };

  // The fake would keep every call for the run: heap growth and GC pauses on the thread that answers them.
  f.fake.retainCalls = false;
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();
  let load: GeneratedLoad;
  try {
    load = await generateLoad(receiverUrl, { rate, seconds }, make);
    // The results of the last requests.
    const settle = wallNow() + (opts.settleMs ?? 3_000);
    while (wallNow() < settle && load.samples.some((s) => expected(s.kind as Kind) && !tracker.seenAt.has(s.id))) await sleep(50);
  } finally {
    loop.disable();
    tracker.close();
    f.fake.retainCalls = true;
  }

  const ok = load.samples.filter((s) => s.status === 200);
  const ackOf = (k?: Kind) => summarize(ok.filter((s) => !k || s.kind === k).map((s) => s.ms));
  const visibleOf = (kinds: Kind[]) => {
    const xs = load.samples.filter((s) => kinds.includes(s.kind as Kind));
    const times = xs.map((s) => {
      const at = tracker.seenAt.get(s.id);
      return at === undefined ? Infinity : at - s.sentAt;
    });
    return { ...summarize(times), unseen: times.filter((t) => t === Infinity).length };
  };
  const shownBy: Record<string, Record<string, number>> = {};
  for (const s of load.samples) {
    const m = tracker.seenBy.get(s.id);
    if (!m) continue;
    (shownBy[s.kind] ??= {})[m] = (shownBy[s.kind]![m] ?? 0) + 1;
  }
  return {
    load,
    ack: { all: ackOf(), browse: ackOf('browse'), help: ackOf('help'), filter: ackOf('filter'), stop: ackOf('stop') },
    visible: {
      browse: visibleOf(['browse']),
      help: { ...summarize([]), unseen: 0 },
      filter: visibleOf(['filter']),
      stop: visibleOf(['stop']),
      clicks: visibleOf(CLICKS),
    },
    shownBy,
    substituted,
    powerClicks,
    unmatched: tracker.unmatched,
    refused: tracker.refused,
    mainLoopDelayP99: loop.percentile(99) / 1e6,
    sendRate: load.sendSeconds > 0 ? (load.sent - 1) / load.sendSeconds : load.sent,
  };
}

/** Kinds whose result appears at the fake Slack (help is answered in the ack). */
function expected(kind: Kind): boolean {
  return kind !== 'help';
}

/** Wait until the fake Slack has had no call for `quietMs` (the app finished the last load's work), at most `maxMs`. */
export async function quiet(f: Fakes, quietMs = 1_000, maxMs = 30_000): Promise<void> {
  let last = performance.now();
  const on = () => void (last = performance.now());
  f.fake.events.on('call', on);
  const start = performance.now();
  try {
    while (performance.now() - last < quietMs && performance.now() - start < maxMs) await sleep(100);
  } finally {
    f.fake.events.off('call', on);
  }
}
