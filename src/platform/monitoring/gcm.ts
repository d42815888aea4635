/**
 * The Monitoring port over @google-cloud/monitoring (MetricServiceClient.listTimeSeries). With
 * `fallback: true` it speaks REST/HTTP, so an `http://host:port` endpoint (the simulator) works
 * without credentials; otherwise ADC. Only the worker role loads this module.
 */
import { MetricServiceClient } from '@google-cloud/monitoring';
import { clientOptions } from '../compute/gce-endpoint.ts';
import { activityFilters, CPU_METRIC, mergePoints, RECEIVED_METRIC, type ActivityPoint, type Monitoring } from './port.ts';

type Timestamp = { seconds?: number | string | { toString(): string } | null; nanos?: number | null } | null | undefined;

const toDate = (t: Timestamp) => new Date(Number(t?.seconds ?? 0) * 1000 + Math.round((t?.nanos ?? 0) / 1e6));
const toTimestamp = (d: Date) => ({ seconds: Math.floor(d.getTime() / 1000), nanos: (d.getTime() % 1000) * 1e6 });

export class GcmMonitoring implements Monitoring {
  readonly #client: MetricServiceClient;

  constructor(opts: { apiEndpoint?: string } = {}) {
    this.#client = new MetricServiceClient({ ...clientOptions(opts.apiEndpoint), fallback: true });
  }

  async vmActivity(project: string, instanceIds: readonly string[], window: { start: Date; end: Date }): Promise<Map<string, ActivityPoint[]>> {
    const out = new Map<string, ActivityPoint[]>();
    if (!instanceIds.length) return out;
    const interval = { startTime: toTimestamp(window.start), endTime: toTimestamp(window.end) };
    for (const metric of [CPU_METRIC, RECEIVED_METRIC]) {
      for (const filter of activityFilters(metric, instanceIds)) {
        const [series] = await this.#client.listTimeSeries({ name: `projects/${project}`, filter, interval, view: 'FULL' });
        for (const ts of series) {
          const id = ts.resource?.labels?.['instance_id'];
          if (!id) continue;
          for (const p of ts.points ?? []) {
            const end = toDate(p.interval?.endTime);
            if (metric === CPU_METRIC) {
              mergePoints(out, id, end, { cpu: Number(p.value?.doubleValue ?? 0) });
            } else {
              // A DELTA point: the bytes received over its interval (60 s for GCE's samples).
              const seconds = Math.max(1, (end.getTime() - toDate(p.interval?.startTime).getTime()) / 1000);
              mergePoints(out, id, end, { receivedBytesPerSecond: Number(p.value?.int64Value ?? 0) / seconds });
            }
          }
        }
      }
    }
    for (const points of out.values()) points.sort((a, b) => a.end.getTime() - b.end.getTime());
    return out;
  }

  async close(): Promise<void> {
    await this.#client.close();
  }
}
