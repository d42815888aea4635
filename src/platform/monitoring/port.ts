/**
 * The Monitoring port: what the idle check reads of demo VMs from Cloud Monitoring. Only the worker
 * loads an adapter (the concrete one is on @google-cloud/monitoring, see gcm.ts).
 */

export const CPU_METRIC = 'compute.googleapis.com/instance/cpu/utilization';
export const RECEIVED_METRIC = 'compute.googleapis.com/instance/network/received_bytes_count';

/** One sampled minute of a VM: either metric may be missing (its point not visible yet). */
export interface ActivityPoint {
  /** The end of the sample (GCE samples every 60 s). */
  end: Date;
  /** Mean CPU utilisation over the sample, 0–1. */
  cpu?: number;
  /** Bytes received per second, averaged over the sample. */
  receivedBytesPerSecond?: number;
}

export interface Monitoring {
  /**
   * The samples of these VMs (GCE instance ids) ending within `window`, merged per minute, oldest
   * first. One query per metric (per chunk of ids), never one per VM.
   */
  vmActivity(project: string, instanceIds: readonly string[], window: { start: Date; end: Date }): Promise<Map<string, ActivityPoint[]>>;
}

/** Ids per query: a filter of 100 one_of values stays short (about 2 KB). */
export const IDS_PER_QUERY = 100;

/** `resource.labels.instance_id = one_of(…)` filters for one metric, one per chunk of ids. */
export function activityFilters(metric: string, instanceIds: readonly string[]): string[] {
  const filters: string[] = [];
  for (let i = 0; i < instanceIds.length; i += IDS_PER_QUERY) {
    const ids = instanceIds.slice(i, i + IDS_PER_QUERY).map((id) => `"${id}"`);
    filters.push(`metric.type = "${metric}" AND resource.type = "gce_instance" AND resource.labels.instance_id = one_of(${ids.join(', ')})`);
  }
  return filters;
}

/** Merge per-metric samples into one point per VM and minute. */
export function mergePoints(into: Map<string, ActivityPoint[]>, instanceId: string, end: Date, value: Omit<ActivityPoint, 'end'>): void {
  const points = into.get(instanceId) ?? [];
  into.set(instanceId, points);
  const same = points.find((p) => p.end.getTime() === end.getTime());
  if (same) Object.assign(same, value);
  else points.push({ end, ...value });
}
