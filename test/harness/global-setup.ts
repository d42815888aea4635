import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PgBoss } from 'pg-boss';
import { checkCaptures } from './contract.ts';
import { isAlive, openPostgres } from '../../src/platform/db.ts';
import { migrateToLatest } from '../../src/platform/migrations.ts';
import { databaseUrl, RUN_PID, TEMPLATE_DB, withAdmin } from './postgres.ts';

/**
 * Once per run: a template database with our migrations and pg-boss's schema, so that each test
 * file clones a ready database in milliseconds. Leftovers of crashed runs are dropped.
 */
export default async function setup(): Promise<() => Promise<void>> {
  process.env.DEMO_VM_TEST_RUN_PID = String(RUN_PID); // inherited by the test workers
  // Every request the suite hands to Google's clients and every simulator answer lands here (one file
  // per process); once all test files are done, each is checked against Google's schema.
  const contractLog = mkdtempSync(join(tmpdir(), 'demo-vm-contract-'));
  process.env.DEMO_VM_CONTRACT_LOG = contractLog;
  await withAdmin(async (c) => {
    const old = await c.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname ~ '^demo_vm_(t|tpl)_[0-9]+'`);
    for (const { datname } of old.rows) {
      const pid = Number(/^demo_vm_(?:t|tpl)_(\d+)/.exec(datname)![1]);
      if (pid === RUN_PID || !isAlive(pid)) await c.query(`DROP DATABASE IF EXISTS ${datname} WITH (FORCE)`);
    }
    await c.query(`CREATE DATABASE ${TEMPLATE_DB}`);
  });
  const url = databaseUrl(TEMPLATE_DB);
  const handle = openPostgres(url);
  await migrateToLatest(handle.db);
  await handle.close();
  const boss = new PgBoss({ connectionString: url, supervise: false, schedule: false });
  boss.on('error', () => {});
  await boss.start();
  await boss.stop({ graceful: false, close: true });
  return async () => {
    await withAdmin((c) => c.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DB} WITH (FORCE)`));
    const { checked, problems } = checkCaptures(contractLog);
    rmSync(contractLog, { recursive: true, force: true });
    if (problems.length) {
      throw new Error(
        `Schema contract: ${problems.length} problem(s) in ${checked} requests and responses (protos.json of the client libraries):\n  ${problems.join('\n  ')}`,
      );
    }
  };
}
