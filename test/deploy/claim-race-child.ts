/**
 * One "replica" of the claim race: claims periods 0..count-1 of a task on the given database, all at
 * once, after a shared start signal (the parent closes stdin), and prints the periods it won as JSON.
 * argv: <postgres-url> <task> <count> <instance-id>
 */
import { openPostgres } from '../../src/platform/db.ts';
import { claimPeriod } from '../../src/platform/scheduler.ts';

const [url = '', task = '', count = '0', instanceId = ''] = process.argv.slice(2);
const handle = openPostgres(url, { max: 10 });
await handle.db.selectFrom('scheduled_runs').select('task').limit(1).execute(); // connected before the race
process.stdout.write('READY\n');
await new Promise((resolve) => process.stdin.on('end', resolve).resume());
const now = new Date('2026-03-02T09:00:00Z');
const periods = Array.from({ length: Number(count) }, (_, i) => `p${i}`);
const won = await Promise.all(periods.map(async (p) => ((await claimPeriod(handle.db, task, p, instanceId, now)) ? p : null)));
process.stdout.write(`${JSON.stringify(won.filter(Boolean))}\n`);
await handle.close();
