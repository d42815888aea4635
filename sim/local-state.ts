/**
 * Local mode remembers the simulated far ends beside its database: the GCE simulator's project, the
 * fake Slack's channels and messages and the fake Cloud Build's exports go to DATA_DIR/simulators.json,
 * written atomically (a temporary file, then rename) a second after a change and at shutdown. A restart on the same DATA_DIR restores
 * them, so the database and the simulators agree. A database with no readable simulator file (an older
 * ./data, a damaged file) is moved aside whole and local mode starts fresh: never half a state.
 */
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { isAlive } from '../src/platform/db.ts';
import type { Logger } from '../src/platform/log.ts';
import type { GceSimulator, GceSnapshot } from './gce/index.ts';
import type { FakeSlack, SlackSnapshot } from './slack/index.ts';
import type { CloudBuildSnapshot, FakeCloudBuild } from './cloudbuild/index.ts';

const FILE = 'simulators.json';
const VERSION = 1;
const CHECK_MS = 1_000;

export interface LocalSnapshot {
  version: number;
  gce?: GceSnapshot;
  slack?: SlackSnapshot;
  /** Exports: Cloud Build's builds and the objects they wrote. */
  cloudBuild?: CloudBuildSnapshot;
}

export interface LocalStateOpened {
  /** What the last run left, if anything. */
  saved?: LocalSnapshot;
  /** One line for the person starting the app: restored, fresh, or reset (and where the old data went). */
  note: string;
}

/** Read DATA_DIR's simulator file before the database opens; a database without one is moved aside. */
export async function openLocalState(dataDir: string): Promise<LocalStateOpened> {
  const file = join(dataDir, FILE);
  const hasDatabase = existsSync(join(dataDir, 'PG_VERSION'));
  let problem: string;
  try {
    const saved = JSON.parse(await readFile(file, 'utf8')) as LocalSnapshot;
    if (saved.version === VERSION) return { saved, note: `Local state: restored from ${dataDir} (delete that folder to start afresh)` };
    problem = `${FILE} is of another version (${saved.version})`;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' && !hasDatabase) {
      // Written before the database exists: a first start that fails half-way leaves a folder that restores.
      await mkdir(dataDir, { recursive: true });
      await writeFile(file, JSON.stringify({ version: VERSION } satisfies LocalSnapshot));
      return { note: `Local state: new, kept in ${dataDir}` };
    }
    problem = (err as NodeJS.ErrnoException).code === 'ENOENT' ? `it has no ${FILE}` : `${FILE} is unreadable (${(err as Error).message})`;
  }
  // Another process has it open: its own start says so clearly (the database's lock); touch nothing.
  if (inUse(dataDir)) return { note: '' };
  // The database alone would remember demos whose VMs and messages are gone: set both aside.
  const aside = join(dirname(resolve(dataDir)), `${basename(resolve(dataDir))}-reset-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  await rename(dataDir, aside);
  return { note: `Local state: ${dataDir} could not be restored (${problem}); it was moved to ${aside} and local mode starts afresh` };
}

function inUse(dataDir: string): boolean {
  try {
    const holder = Number(readFileSync(join(dataDir, 'demo-vm.lock'), 'utf8'));
    return holder !== process.pid && isAlive(holder);
  } catch {
    return false;
  }
}

/** Keeps simulators.json up to date while local mode runs. */
export class LocalStateKeeper {
  readonly #file: string;
  readonly #parts: { gce?: GceSimulator; slack?: FakeSlack; cloudBuild?: FakeCloudBuild };
  readonly #log: Logger;
  readonly #timer: NodeJS.Timeout;
  #written = '';
  #writing: Promise<void> = Promise.resolve();

  constructor(dataDir: string, parts: { gce?: GceSimulator; slack?: FakeSlack; cloudBuild?: FakeCloudBuild }, log: Logger) {
    this.#file = join(dataDir, FILE);
    this.#parts = parts;
    this.#log = log;
    // A cheap look each second (the state is small); written only when it changed.
    this.#timer = setInterval(() => void this.save(), CHECK_MS);
    this.#timer.unref();
  }

  /** Write the file if anything changed since the last write (one write at a time). */
  save(): Promise<void> {
    this.#writing = this.#writing.then(async () => {
      const snapshot: LocalSnapshot = {
        version: VERSION,
        gce: this.#parts.gce?.snapshot(),
        slack: this.#parts.slack?.workspace.snapshot(),
        cloudBuild: this.#parts.cloudBuild?.snapshot(),
      };
      const text = JSON.stringify(snapshot);
      if (text === this.#written) return;
      try {
        await mkdir(dirname(this.#file), { recursive: true });
        const temp = `${this.#file}.${process.pid}.tmp`;
        await writeFile(temp, text);
        await rename(temp, this.#file);
        this.#written = text;
      } catch (err) {
        this.#log.warn({ err, file: this.#file }, 'could not save the simulators’ state; a restart may lose the latest changes');
      }
    });
    return this.#writing;
  }

  /** The last write, after the app has stopped changing things. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.save();
  }
}
