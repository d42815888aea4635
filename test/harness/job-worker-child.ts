/**
 * A child process for crash tests of the job queue: it registers the `crash-test` queue with a
 * handler that records its start and then hangs, so the parent can SIGKILL it mid-job.
 * argv: <postgres-url | pglite:DIR> [send]
 */
import { sql } from 'kysely';
import { openPglite, openPostgres } from '../../src/platform/db.ts';
import { JobQueue } from '../../src/platform/jobs.ts';
import { createLogger } from '../../src/platform/log.ts';

const [target = '', mode] = process.argv.slice(2);
const handle = target.startsWith('pglite:') ? await openPglite(target.slice('pglite:'.length)) : openPostgres(target);
const jobs = new JobQueue(handle, createLogger({ level: 'silent' }), {
  pollingIntervalSeconds: 0.5,
  notifyPollingIntervalSeconds: 0.5,
  heartbeatSeconds: 10,
  superviseIntervalSeconds: 1,
});
await jobs.start();
await jobs.declare('crash-test', { retryLimit: 3, retryDelaySeconds: 1 });
await jobs.work<{ key: string }>('crash-test', async (data) => {
  await sql`INSERT INTO job_log (key, phase) VALUES (${data.key}, 'started')`.execute(handle.db);
  process.stdout.write('STARTED\n');
  await new Promise(() => {}); // hang until killed
});
if (mode === 'send') await jobs.send('crash-test', { key: 'k1' });
process.stdout.write('READY\n');
