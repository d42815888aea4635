/** Options, clock, timers, ids and links shared by the simulator's resource modules. */
import { createHash, randomBytes } from 'node:crypto';
import { TZDate } from '@date-fns/tz';
import { format } from 'date-fns/format';
import { realScheduler, type GceSimProfile, type Scheduler, TimingModel } from './timing.ts';
import type { GceInstance } from './types.ts';

export interface GceSimulatorOptions {
  project?: string;
  zones?: string[];
  /** Machine types that exist in every zone. */
  machineTypes?: string[];
  /** How long an operation runs before DONE (insert: until STAGING; stop/delete: until done). */
  operationMs?: number;
  /** STAGING → RUNNING after insert/start. */
  bootMs?: number;
  /** Longest an operations `wait` call blocks before answering "not DONE yet" (GCE: ~2 min). */
  maxWaitMs?: number;
  /** The clock behind timestamps and requestId expiry. */
  now?: () => Date;
  /** Base of selfLinks; GCE's own by default so links look real. */
  linkBase?: string;
  /** Append every answer to a file in this directory (default: $DEMO_VM_CONTRACT_LOG, set by the test run). */
  responseLog?: string;
  /** How long things take: `instant` (default) uses operationMs/bootMs; `realistic` the model in timing.ts. */
  profile?: GceSimProfile;
  /** The realistic profile's jitter source, in [0, 1) (0.5: none); Math.random by default. */
  random?: () => number;
  /** Where timers run: real setTimeout by default; a SimTime (also passed as `now`) in tests that drive time. */
  scheduler?: Scheduler;
  /** A resumed VM gets a new ephemeral external IP (another loopback address), as an ephemeral IP may change. */
  newIpOnResume?: boolean;
  /** The Cloud Monitoring fake's seed and per-point visibility delay (default: seed 1, 60–240 s). */
  monitoring?: { seed?: number; delayMs?: { min: number; max: number } };
}

export const DEFAULT_ZONES = ['us-central1-a', 'us-central1-b', 'us-central1-c', 'europe-west1-b'];
export const DEFAULT_MACHINE_TYPES = [
  'e2-micro',
  'e2-small',
  'e2-medium',
  'e2-standard-2',
  'e2-standard-4',
  'e2-standard-8',
  'n2-standard-2',
  'n2-standard-4',
  'n2-standard-8',
  'n1-standard-1',
  'n1-standard-2',
];

/** Timers the simulator owns, so close() leaves none behind. */
export class Timers {
  readonly #scheduler: Scheduler;
  #set = new Set<object>();
  #stopped = false;
  constructor(scheduler: Scheduler = realScheduler) {
    this.#scheduler = scheduler;
  }
  /** Schedule `fn`; after stop() nothing new is scheduled. */
  after(ms: number, fn: () => void): object | undefined {
    if (this.#stopped) return undefined;
    const t = this.#scheduler.setTimeout(
      () => {
        this.#set.delete(t);
        fn();
      },
      Math.max(0, ms),
    );
    this.#set.add(t);
    return t;
  }
  cancel(t: object | undefined): void {
    if (!t) return;
    this.#scheduler.clearTimeout(t);
    this.#set.delete(t);
  }
  stop(): void {
    this.#stopped = true;
    for (const t of this.#set) this.#scheduler.clearTimeout(t);
    this.#set.clear();
  }
  get size(): number {
    return this.#set.size;
  }
}

export class SimState {
  readonly project: string;
  readonly zones: readonly string[];
  readonly machineTypes: readonly string[];
  operationMs: number;
  bootMs: number;
  maxWaitMs: number;
  readonly now: () => Date;
  readonly linkBase: string;
  readonly timers: Timers;
  readonly timing: TimingModel;
  /** Told of every status change of an instance, and of its deletion (the VM's app follows it). */
  instanceChanged: (res: GceInstance, gone: boolean) => void = () => {};
  /** Told when a RUNNING VM's app is not up yet (held) and when it comes up (realistic profile). */
  appHeld: (res: GceInstance, held: boolean) => void = () => {};
  /** The next internal IP's index (kept across a local-mode restart). */
  nextInternal = 2;
  newIpOnResume: boolean;
  #nextResumeIp = 2;

  constructor(opts: GceSimulatorOptions = {}) {
    this.project = opts.project ?? 'demo-project';
    this.zones = opts.zones ?? DEFAULT_ZONES;
    this.machineTypes = opts.machineTypes ?? DEFAULT_MACHINE_TYPES;
    this.operationMs = opts.operationMs ?? 0;
    this.bootMs = opts.bootMs ?? 0;
    this.maxWaitMs = opts.maxWaitMs ?? 120_000;
    this.now = opts.now ?? (() => new Date());
    this.linkBase = opts.linkBase ?? 'https://www.googleapis.com/compute/v1';
    this.timers = new Timers(opts.scheduler);
    this.timing = new TimingModel(opts.profile, opts.random);
    this.newIpOnResume = opts.newIpOnResume ?? false;
  }

  /** Another loopback address (127.0.0.2–254) for a resumed VM: still this machine, but not the IP it had. */
  nextResumeIp(): string {
    const n = this.#nextResumeIp++;
    return `127.0.0.${(n % 253) + 2}`;
  }

  /** RFC3339 with the offset of Google's Pacific time, as GCE writes them: `2026-12-02T01:02:03.456-08:00`. */
  timestamp(): string {
    return format(new TZDate(this.now(), 'America/Los_Angeles'), "yyyy-MM-dd'T'HH:mm:ss.SSSxxx");
  }

  /** Unsigned 64-bit-ish decimal id, as GCE returns (a string). */
  newId(): string {
    return ((BigInt('0x' + randomBytes(8).toString('hex')) % 9_000_000_000_000_000_000n) + 1_000_000_000_000_000_000n).toString();
  }

  /** operation-<ms>-<hex>-<hex>-<hex>, the shape of GCE operation names. */
  newOperationName(): string {
    const hex = (n: number) => randomBytes(n).toString('hex');
    return `operation-${this.now().getTime()}-${hex(7).slice(0, 13)}-${hex(4)}-${hex(4)}`;
  }

  /**
   * Internal IPs are loopback addresses too (127.0.2.0/24): with GCE_EXTERNAL_IP=none the app probes a
   * demo at its internal IP, and that must stay on this machine as well.
   */
  nextInternalIp(): string {
    const n = this.nextInternal++;
    return `127.0.2.${(n % 254) + 1}`;
  }

  /**
   * Every external IP is 127.0.0.1: a simulated VM must never make the app send traffic anywhere but
   * this machine, and 127.0.0.1 is loopback on every OS. Each VM's app answers on a port of its own
   * there (vm-apps.ts).
   */
  nextExternalIp(): string {
    return '127.0.0.1';
  }

  path(...parts: string[]): string {
    return ['projects', this.project, ...parts].join('/');
  }

  link(...parts: string[]): string {
    return `${this.linkBase}/${this.path(...parts)}`;
  }

  fingerprint(labels: Record<string, string>): string {
    return createHash('sha256').update(JSON.stringify(labels)).digest('base64').slice(0, 11) + '=';
  }
}

/** Last path segment of a URL or partial path (`zones/Z/machineTypes/T` → T). */
export function lastSegment(s: string): string {
  return s.slice(s.lastIndexOf('/') + 1);
}
