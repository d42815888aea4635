import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import packageJson from '../../package.json' with { type: 'json' };
import { refreshUsageSeconds, USAGE_SECONDS_TASK } from '../../src/platform/metrics.ts';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { demoInState, launchFromCatalog } from '../harness/flows.ts';

/** /metrics and the logs, read the way Prometheus and an operator would, after real requests and jobs. */

type Series = { name: string; labels: Record<string, string>; value: number };

function parseExposition(text: string): Series[] {
  return text.split('\n').flatMap((line) => {
    const m = /^([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) return [];
    const labels = Object.fromEntries([...(m[2] ?? '').matchAll(/(\w+)="((?:[^"\\]|\\.)*)"/g)].map((l) => [l[1]!, l[2]!]));
    return [{ name: m[1]!, labels, value: Number(m[3]) }];
  });
}

describe('metrics and logs', () => {
  const clock = new ManualClock('2026-03-02T09:00:00Z');
  let t: TestApp;
  const scrape = async () => {
    const res = await fetch(`${t.app.url}/metrics`);
    expect(res.status).toBe(200);
    return parseExposition(await res.text());
  };
  /** Sum of the series of `name` whose labels include `labels`. */
  const value = async (name: string, labels: Record<string, string> = {}) =>
    (await scrape()).filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
  const logLines = () =>
    t.logs
      .flatMap((l) => l.split('\n'))
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);

  beforeAll(async () => {
    t = await startTestApp({ clock, env: { READINESS_TIMEOUT_SECONDS: '1', LOG_LEVEL: 'debug' } });
  });
  afterAll(async () => t?.close());

  test('/metrics speaks the Prometheus text format, with process metrics and ours', async () => {
    const res = await fetch(`${t.app.url}/metrics`);
    expect(res.headers.get('content-type')).toContain('text/plain');
    const text = await res.text();
    for (const name of [
      'process_resident_memory_bytes',
      'nodejs_eventloop_lag_seconds',
      'demo_vm_slack_ack_duration_seconds',
      'demo_vm_launches_total',
      'demo_vm_gce_errors_total',
      'demo_vm_slack_errors_total',
      'demo_vm_job_queue_depth',
      'demo_vm_usage_seconds_total',
    ]) {
      expect(text).toContain(`# TYPE ${name}`);
    }
  });

  test('a Slack request: its ack timed at the server, its handling by kind, and one log line with its request id and user', async () => {
    const acks = await value('demo_vm_slack_ack_duration_seconds_count', { status: '200' });
    const handled = await value('demo_vm_slack_request_duration_seconds_count', { kind: 'command', outcome: 'ok' });
    const sent = await t.slack.command({ user: 'U_ALICE', channel: 'C_GENERAL', text: 'help' });
    expect(sent.response.status).toBe(200);
    await eventually(
      () => value('demo_vm_slack_request_duration_seconds_count', { kind: 'command', outcome: 'ok' }),
      (v) => v === handled + 1,
    );
    expect(await value('demo_vm_slack_ack_duration_seconds_count', { status: '200' })).toBe(acks + 1);
    const line = logLines()
      .filter((l) => l['message'] === 'slack request' && l['userId'] === 'U_ALICE')
      .at(-1);
    expect(line).toMatchObject({ kind: 'command', command: '/demo', channelId: 'C_GENERAL', teamId: t.fake.identity.teamId, failed: false });
    expect(line?.['requestId']).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof line?.['durationMs']).toBe('number');
  });

  test('a request with a Cloud Trace header: its log line carries the trace for Cloud Logging', async () => {
    const trace = '105445aa7843bc8bf206b12000100000';
    await t.slack.command({ user: 'U_BOB', channel: 'C_GENERAL', text: 'help' }, { headers: { 'X-Cloud-Trace-Context': `${trace}/1;o=1` } });
    const line = await eventually(
      () =>
        logLines()
          .filter((l) => l['message'] === 'slack request' && l['userId'] === 'U_BOB')
          .at(-1),
      (l) => l !== undefined,
    );
    expect(line).toMatchObject({
      'logging.googleapis.com/trace': `projects/${t.config.gce.project}/traces/${trace}`,
      'logging.googleapis.com/trace_sampled': true,
    });
  });

  test('a launch: counted as ready, its job timed by queue, and its VM seconds from the ledger, refreshed every minute', async () => {
    const ready = await value('demo_vm_launches_total', { outcome: 'ready' });
    const jobs = await value('demo_vm_job_duration_seconds_count', { queue: 'demo-launch', outcome: 'ok' });
    await launchFromCatalog(t, 'U_ALICE', 'crm-demo');
    const demo = await demoInState(t, 'U_ALICE', 'running', 'ready');
    await eventually(
      () => value('demo_vm_job_duration_seconds_count', { queue: 'demo-launch', outcome: 'ok' }),
      (v) => v === jobs + 1,
    );
    expect(await value('demo_vm_launches_total', { outcome: 'ready' })).toBe(ready + 1);
    // The interval opened at 09:00 by the app's clock. A scrape reads the totals the every-minute task
    // stored last, not the ledger: they move when the task runs, and only then.
    const interval = await t.db.selectFrom('usage_intervals').select(['started_at', 'ended_at']).where('demo_id', '=', demo.id).executeTakeFirstOrThrow();
    expect(interval).toEqual({ started_at: new Date('2026-03-02T09:00:00Z'), ended_at: null });
    const usage = () => value('demo_vm_usage_seconds_total', { machine_type: demo.machine_type });
    const refresh = t.app.scheduler.tasks.find((task) => task.name === USAGE_SECONDS_TASK)!;
    clock.advance(2 * 3600_000);
    await refresh.tick(clock.now());
    expect(await usage()).toBeCloseTo((clock.now().getTime() - interval.started_at.getTime()) / 1000, 3); // 7,200 s
    clock.advance(3600_000);
    expect(await usage()).toBeCloseTo(7200, 3); // no refresh yet: the scrape summed nothing
    // A counter never goes down: totals computed as of an earlier time (1 h) do not replace 2 h.
    await refreshUsageSeconds(t.db, new Date('2026-03-02T10:00:00Z'));
    expect(await usage()).toBeCloseTo(7200, 3);
    await refresh.tick(clock.now());
    expect(await usage()).toBeCloseTo(3 * 3600, 3);
    expect((await scrape()).some((s) => s.name === 'demo_vm_job_queue_depth' && s.labels['queue'] === 'demo-launch' && s.labels['state'] === 'active')).toBe(
      true,
    );
  });

  test('GCE and Slack call errors are counted by kind; a failed launch by its reason', async () => {
    const quota = await value('demo_vm_gce_errors_total', { operation: 'insertInstance', kind: 'quota' });
    const failed = await value('demo_vm_launches_total', { outcome: 'failed', reason: 'quota' });
    t.sim.injectFault({ method: 'instances.insert', kind: 'quota', times: 1 });
    await launchFromCatalog(t, 'U_BOB', 'crm-demo');
    await demoInState(t, 'U_BOB', 'failed');
    expect(await value('demo_vm_gce_errors_total', { operation: 'insertInstance', kind: 'quota' })).toBe(quota + 1);
    await eventually(
      () => value('demo_vm_launches_total', { outcome: 'failed', reason: 'quota' }),
      (v) => v === failed + 1,
    );

    const notFound = await value('demo_vm_slack_errors_total', { method: 'chat.postMessage', kind: 'channel_not_found' });
    t.fake.failNext('chat.postMessage', { error: 'channel_not_found' });
    await expect(t.app.ctx.slack.chat.postMessage({ channel: 'C_GONE', text: 'x' })).rejects.toThrow(/channel_not_found/);
    expect(await value('demo_vm_slack_errors_total', { method: 'chat.postMessage', kind: 'channel_not_found' })).toBe(notFound + 1);
  });

  test('a job nobody works on shows in the queue depth and the oldest-waiting age', async () => {
    await t.app.ctx.jobs.boss.createQueue('metrics-probe');
    await t.app.ctx.jobs.send('metrics-probe', { n: 1 });
    await eventually(
      () => value('demo_vm_job_queue_depth', { queue: 'metrics-probe', state: 'ready' }),
      (v) => v === 1,
    );
    expect(await value('demo_vm_job_oldest_waiting_seconds', { queue: 'metrics-probe' })).toBeGreaterThan(0);
  });

  test('an unexpected failure: one ERROR line in Cloud Logging’s shape, its stack for Error Reporting, the error id the user saw', async () => {
    t.app.router.add({
      name: 'explode',
      usage: '/demo explode',
      summary: 'fails, for this test',
      run: async () => {
        throw new Error('the probe exploded');
      },
    });
    const sent = await t.slack.command({ user: 'U_CAROL', channel: 'C_GENERAL', text: 'explode' });
    expect(sent.response.status).toBe(200);
    const line = (await eventually(() => logLines().find((l) => l['message'] === 'request failed' && l['user'] === 'U_CAROL')))!;
    expect(line).toMatchObject({
      severity: 'ERROR',
      level: 50,
      serviceContext: { service: 'demo-vm', version: packageJson.version },
      err: { type: 'Error', message: 'the probe exploded' },
      errorId: expect.any(String),
    });
    expect(String(line['stack_trace'])).toMatch(/^Error: the probe exploded\n\s+at /);
    expect(new Date(String(line['time'])).toISOString()).toBe(line['time']);
    expect(line).not.toHaveProperty('msg');
  });

  test('a job’s log lines carry the queue, the job id and the demo id', async () => {
    await t.app.ctx.jobs.declare('log-probe', { retryLimit: 0 });
    await t.app.ctx.jobs.work<{ demoId: string }>('log-probe', async (_data, job) => {
      job.log.info('probe working');
      throw new Error('the attempt fails');
    });
    const id = await t.app.ctx.jobs.send('log-probe', { demoId: '00000000-0000-4000-8000-00000000d3m0' });
    const lines = await eventually(
      () => logLines().filter((l) => l['jobId'] === id),
      (ls) => ls.length >= 2,
    );
    expect(lines.map((l) => l['message'])).toContain('probe working');
    for (const l of lines) expect(l).toMatchObject({ job: 'log-probe', jobId: id, demoId: '00000000-0000-4000-8000-00000000d3m0' });
    expect(lines.map((l) => l['message'])).toContain('job attempt failed; pg-boss will retry it if attempts remain');
  });
});
