import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { GceSimulator } from '../../sim/gce/index.ts';
import { CPU_METRIC, RECEIVED_METRIC } from '../../sim/monitoring/index.ts';
import { GcmMonitoring } from '../../src/platform/monitoring/gcm.ts';
import { activityFilters } from '../../src/platform/monitoring/port.ts';
import { isActive } from '../../src/demos/idle.ts';

/** The real @google-cloud/monitoring client (fallback: true, REST) against the simulator's Monitoring fake. */
describe('Cloud Monitoring: the real client against the fake', () => {
  let now = new Date('2026-03-02T10:00:00Z');
  const sim = new GceSimulator({ project: 'mon-project', now: () => now });
  let client: GcmMonitoring;
  const min = (n: number) => new Date(Date.parse('2026-03-02T10:00:00Z') + n * 60_000);

  beforeAll(async () => {
    const { url } = await sim.listen(0, '127.0.0.1');
    client = new GcmMonitoring({ apiEndpoint: url });
  });
  afterAll(async () => {
    await client?.close();
    await sim.close();
  });

  test('two queries (one per metric) for all VMs, filtered on their ids; series follow the activity plan and the VM status; points show up after their delay', async () => {
    const a = sim.addInstance({ zone: 'us-central1-a', name: 'vm-a' });
    const b = sim.addInstance({ zone: 'us-central1-a', name: 'vm-b' });
    const c = sim.addInstance({ zone: 'us-central1-b', name: 'vm-c', status: 'TERMINATED' });
    sim.monitoring.activity.set('vm-a', 'screen-share', min(0));
    sim.monitoring.activity.set('vm-a', 'idle-noise', min(20));
    // vm-b has no plan: idle noise. It stops at minute 10.
    now = min(10);
    sim.stopInstanceNow('us-central1-a', 'vm-b');
    now = min(30);

    sim.monitoring.requests.length = 0;
    const got = await client.vmActivity('mon-project', [a.id, b.id, c.id], { start: min(0), end: now });
    expect(sim.monitoring.requests).toHaveLength(2);
    const [cpu, net] = sim.monitoring.requests;
    expect(cpu!.filter).toBe(
      `metric.type = "${CPU_METRIC}" AND resource.type = "gce_instance" AND resource.labels.instance_id = one_of("${a.id}", "${b.id}", "${c.id}")`,
    );
    expect(net!.filter).toContain(`metric.type = "${RECEIVED_METRIC}"`);
    // The REST fallback sends enums as numbers (`$alt=json;enum-encoding=int`): TimeSeriesView FULL is 0.
    expect(cpu).toMatchObject({ project: 'mon-project', startTime: min(0).toISOString(), endTime: min(30).toISOString(), view: '0' });

    const pa = got.get(a.id)!;
    // Minutes 1..30 ran; those not visible yet (60–240 s delay) are missing at the end only.
    expect(pa.length).toBeGreaterThanOrEqual(26);
    expect(pa.at(-1)!.end.getTime()).toBeGreaterThanOrEqual(min(26).getTime());
    expect(pa.every((p) => p.cpu !== undefined && p.receivedBytesPerSecond !== undefined)).toBe(true);
    expect(pa.filter((p) => p.end <= min(20)).every(isActive)).toBe(true);
    expect(pa.filter((p) => p.end > min(20)).some(isActive)).toBe(false);
    // vm-b: points only for the whole minutes it ran (it stopped at 10:10, so none is sampled then); vm-c never ran.
    const pb = got.get(b.id)!;
    expect(pb.map((p) => p.end.getTime())).toEqual(Array.from({ length: 9 }, (_, i) => min(i + 1).getTime()));
    expect(got.has(c.id)).toBe(false);

    // Every point becomes visible within 240 s of its minute's end.
    now = min(34);
    const later = await client.vmActivity('mon-project', [a.id], { start: min(0), end: now });
    expect(later.get(a.id)!.map((p) => p.end.getTime())).toContain(min(30).getTime());
  });

  test('a filter the fake cannot parse without a metric type is refused with 400 INVALID_ARGUMENT, as Monitoring refuses it', async () => {
    const res = await fetch(
      `${sim.url}/v3/projects/mon-project/timeSeries?filter=${encodeURIComponent('resource.type = "gce_instance"')}&interval.endTime=${now.toISOString()}`,
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
  });

  test('many VMs: the ids are split into filters of 100, two queries per chunk; the fake pages by series', async () => {
    const ids = Array.from({ length: 150 }, (_, i) => String(9_000_000 + i));
    const filters = activityFilters(CPU_METRIC, ids);
    expect(filters).toHaveLength(2);
    expect(filters[0]!.match(/"\d+"/g)).toHaveLength(100);
    expect(filters[1]!.match(/"\d+"/g)).toHaveLength(50);

    sim.monitoring.requests.length = 0;
    await client.vmActivity('mon-project', ids, { start: min(0), end: now });
    expect(sim.monitoring.requests.map((r) => r.filter)).toEqual([...filters, ...activityFilters(RECEIVED_METRIC, ids)]);

    // pageSize counts series; nextPageToken says where the next page starts.
    const res = await fetch(
      `${sim.url}/v3/projects/mon-project/timeSeries?${new URLSearchParams({ filter: `metric.type = "${CPU_METRIC}"`, 'interval.startTime': min(0).toISOString(), 'interval.endTime': now.toISOString(), pageSize: '1' })}`,
    );
    const page = (await res.json()) as { timeSeries: unknown[]; nextPageToken?: string };
    expect(page.timeSeries).toHaveLength(1);
    expect(page.nextPageToken).toBe('1');
  });
});
