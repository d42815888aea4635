import { fileRequestTap } from '../../src/platform/request-log.ts';
import { Writable } from 'node:stream';
import { syncCatalog } from '../../src/catalog/service.ts';
import { loadConfig } from '../../src/config.ts';
import { startLocal, type LocalWorkspace } from '../../sim/workspace/start.ts';
import { GceCompute } from '../../src/platform/compute/gce.ts';
import { GceSimulator } from '../../sim/gce/index.ts';
import { createLogger } from '../../src/platform/log.ts';
import { TEST_JOB_TUNING } from '../harness/app.ts';
import { createTestDatabase, type TestDatabase } from '../harness/postgres.ts';

export interface LocalAppOptions {
  /** Environment as `npm start` would see it (no Slack variables: local mode). */
  env?: Record<string, string>;
  /** Simulator timings (ms): small, but enough to see progress. */
  gce?: { operationMs?: number; bootMs?: number };
}

export interface LocalApp {
  local: LocalWorkspace;
  sim: GceSimulator;
  database: TestDatabase;
  logs: string[];
  close(): Promise<void>;
}

/**
 * The app in local mode as main.ts starts it (startLocal), on a test database and a fast GCE
 * simulator. GCE calls always go to the simulator, even when the environment names a "real" project
 * (to test the opt-in), so no test ever reaches Google.
 */
export async function startLocalApp(opts: LocalAppOptions = {}): Promise<LocalApp> {
  const database = await createTestDatabase();
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'info', PORT: '0', DATABASE_URL: database.url, READINESS_TIMEOUT_SECONDS: '1', ...opts.env });
  const sim = new GceSimulator({ project: config.gce.project, operationMs: opts.gce?.operationMs ?? 150, bootMs: opts.gce?.bootMs ?? 300 });
  sim.seedSampleImages();
  const { url: gceUrl } = await sim.listen(0, '127.0.0.1');
  const logs: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, cb) {
      logs.push(String(chunk));
      cb();
    },
  });
  const contractLog = process.env.DEMO_VM_CONTRACT_LOG;
  try {
    const local = await startLocal({
      config: { ...config, gce: { ...config.gce, apiEndpoint: config.gce.apiEndpoint ?? gceUrl } },
      log: createLogger({ level: 'info', destination }),
      // As main.ts: the page lists the simulator's state only when GCE is the simulator.
      simulator: config.gce.mode === 'simulator' ? sim : undefined,
      compute: new GceCompute({ project: config.gce.project, apiEndpoint: gceUrl, onRequest: contractLog ? fileRequestTap(contractLog) : undefined }),
      // GCE calls always go to the simulator, so its VMs' app pages are where demo apps answer.
      appReach: sim.appReach,
      jobTuning: TEST_JOB_TUNING,
      scheduler: false,
    });
    await syncCatalog(local.app.worker!);
    return {
      local,
      sim,
      database,
      logs,
      close: async () => {
        await local.stop();
        await sim.close();
        await database.drop();
      },
    };
  } catch (err) {
    await sim.close();
    await database.drop();
    throw err;
  }
}
