/**
 * How long things take in the simulated cloud. `instant` (the default) keeps the plain operationMs /
 * bootMs timings tests and local mode have always used; `realistic` follows the figures below (model
 * time, through the simulator's timers), each step with ±20% jitter from an injectable random source.
 * docs/SIMULATOR.md says which figures are published measurements and which are our assumptions.
 */
import { machineTypeSpec } from './machine-types.ts';
import type { GceInstance, GceMachineImage } from './types.ts';

export type GceSimProfile = 'instant' | 'realistic';

/** `GCE_SIM_PROFILE` as a profile: `realistic`, or `instant` for anything else (unset included). */
export function profileFromEnv(value: string | undefined): GceSimProfile {
  return value?.trim().toLowerCase() === 'realistic' ? 'realistic' : 'instant';
}

/** The realistic profile's figures, in seconds (before jitter). */
export const REALISTIC = {
  /** insert from a public image → RUNNING. */
  insertFromImage: 8,
  /** RUNNING → the OS answers (SSH). */
  osUp: 17,
  /** insert from a machine image → RUNNING: base, and per GB of the image's disks. */
  insertFromMachineImage: 15,
  insertFromMachineImagePerGb: 1.5,
  /** The demo app answering after the OS, unless the image's `app-start-seconds` label says otherwise. */
  appStart: 60,
  /** start from TERMINATED → RUNNING. */
  start: 10,
  /** RUNNING → SUSPENDED: base, and per GB of RAM. */
  suspend: 10,
  suspendPerGbRam: 1,
  /** SUSPENDED → RUNNING: base, and per GB of RAM. */
  resume: 5,
  resumePerGbRam: 0.5,
  /** A machine image from an instance: base, and per GB of the instance's disks. */
  machineImage: 60,
  machineImagePerGb: 2,
  /** STOPPING → TERMINATED. */
  stop: 20,
} as const;

/** The label of a machine image saying how long its app takes to answer once the OS is up. */
export const APP_START_LABEL = 'app-start-seconds';

const GIB = 1024 ** 3;

/** A machine image's size in GB: totalStorageBytes, or else the sum of its disks' sizeGb. */
export function machineImageGb(image: GceMachineImage): number {
  const bytes = Number(image.totalStorageBytes);
  if (bytes > 0) return bytes / GIB;
  return image.sourceInstanceProperties.disks.reduce((sum, d) => sum + (Number(d.diskSizeGb) || 0), 0);
}

/** An instance's disks in GB. */
export function instanceDiskGb(res: GceInstance): number {
  return res.disks.reduce((sum, d) => sum + (Number(d.diskSizeGb) || 0), 0);
}

/** An instance's RAM in GB (its machine type's memoryMb). */
export function instanceRamGb(res: GceInstance): number {
  return machineTypeSpec(res.machineType.slice(res.machineType.lastIndexOf('/') + 1)).memoryMb / 1024;
}

/** The realistic profile's durations in ms, each drawn with its own jitter. */
export class TimingModel {
  readonly profile: GceSimProfile;
  readonly #random: () => number;

  constructor(profile: GceSimProfile = 'instant', random: () => number = Math.random) {
    this.profile = profile;
    this.#random = random;
  }

  get realistic(): boolean {
    return this.profile === 'realistic';
  }

  /** `seconds` ±20%: random 0.5 gives exactly `seconds`, 0 gives 80%, 1 gives 120%. */
  jittered(seconds: number): number {
    return Math.round(seconds * 1000 * (1 + 0.4 * (this.#random() - 0.5)));
  }

  insertMs(image: GceMachineImage | undefined): number {
    const r = REALISTIC;
    return this.jittered(image ? r.insertFromMachineImage + r.insertFromMachineImagePerGb * machineImageGb(image) : r.insertFromImage);
  }
  startMs(): number {
    return this.jittered(REALISTIC.start);
  }
  /** RUNNING → the demo app answers: the OS, then the app (each with its own jitter). */
  appUpMs(image: GceMachineImage | undefined): number {
    const label = Number(image?.labels[APP_START_LABEL]);
    const app = image && image.labels[APP_START_LABEL] !== undefined && Number.isFinite(label) && label >= 0 ? label : REALISTIC.appStart;
    return this.jittered(REALISTIC.osUp) + this.jittered(app);
  }
  suspendMs(res: GceInstance): number {
    return this.jittered(REALISTIC.suspend + REALISTIC.suspendPerGbRam * instanceRamGb(res));
  }
  resumeMs(res: GceInstance): number {
    return this.jittered(REALISTIC.resume + REALISTIC.resumePerGbRam * instanceRamGb(res));
  }
  machineImageMs(source: GceInstance): number {
    return this.jittered(REALISTIC.machineImage + REALISTIC.machineImagePerGb * instanceDiskGb(source));
  }
  stopMs(): number {
    return this.jittered(REALISTIC.stop);
  }
}

/** Where the simulator's timers run: real setTimeout by default, or a driven SimTime in tests. */
export interface Scheduler {
  setTimeout(fn: () => void, ms: number): object;
  clearTimeout(handle: object): void;
}

export const realScheduler: Scheduler = scaledScheduler(1);

/** Timers on compressed time (benchmarks, beside the app's ScaledClock): a delay of `ms` fires after ms / rate real ms. */
export function scaledScheduler(rate: number): Scheduler {
  return {
    setTimeout: (fn, ms) => setTimeout(fn, ms / rate),
    clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
  };
}

interface Due {
  at: number;
  seq: number;
  fn: () => void;
  handle: object;
}

/**
 * A driven clock and the timers on it, for tests: pass it as both `now` and `scheduler`. Nothing runs
 * until `advance`, which fires every timer falling due, in order and at its own time.
 */
export class SimTime implements Scheduler {
  #now: number;
  #seq = 0;
  #due: Due[] = [];

  constructor(start: Date | string = '2026-03-02T09:00:00Z') {
    this.#now = new Date(start).getTime();
  }

  readonly now = (): Date => new Date(this.#now);

  setTimeout(fn: () => void, ms: number): object {
    const handle = {};
    this.#due.push({ at: this.#now + Math.max(0, ms), seq: this.#seq++, fn, handle });
    return handle;
  }

  clearTimeout(handle: object): void {
    this.#due = this.#due.filter((d) => d.handle !== handle);
  }

  /** Timers still waiting. */
  get pending(): number {
    return this.#due.length;
  }

  /** Move on `ms`, running each timer due meanwhile (and letting I/O settle after each). */
  async advance(ms: number): Promise<Date> {
    const end = this.#now + ms;
    for (;;) {
      const next = this.#due.filter((d) => d.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!next) break;
      this.#due = this.#due.filter((d) => d !== next);
      this.#now = next.at;
      next.fn();
      await new Promise((r) => setImmediate(r));
    }
    this.#now = end;
    await new Promise((r) => setImmediate(r));
    return this.now();
  }
}
