/**
 * Where and how a demo VM runs in the project: the zones an image can launch into (its own region, or a
 * region with a configured subnet), and what every insert adds to the image (subnet, external IP,
 * network tags, OS Login, service account, GCE's own run limit).
 */
import type { Config } from '../config.ts';
import { regionOfZone, type InsertInstanceRequest } from '../platform/compute/port.ts';

/** GCE's stop comes this long after our own expiry could have at the latest: our sweeper stays the first line. */
const RUN_LIMIT_GRACE_HOURS = 1;

/** The longest single run GCE lets a demo VM have (it counts from each start). */
export function runLimitSeconds(config: Config): number {
  return (config.demo.maxTtlHours + RUN_LIMIT_GRACE_HOURS) * 3_600;
}

/** A region name (us-central1), not a multi-region storage location (us, eu, asia). */
const isRegion = (r: string | null): r is string => r !== null && /\d$/.test(r);

/**
 * The allowed zones an image can run in: its own region's, and those of regions with a subnet. An image
 * whose region is not known (stored in a multi-region, no source VM) is offered every allowed zone.
 */
export function zonesFor(config: Config, imageRegion: string | null): string[] {
  if (!isRegion(imageRegion)) return config.gce.zones;
  return config.gce.zones.filter((z) => regionOfZone(z) === imageRegion || config.gce.subnets[regionOfZone(z)]);
}

export function vmPlacement(config: Config, zone: string): NonNullable<InsertInstanceRequest['placement']> {
  const g = config.gce;
  return {
    subnetwork: g.subnets[regionOfZone(zone)],
    externalIp: g.externalIp === 'ephemeral',
    tags: g.networkTags,
    // SSH-in-browser then signs in with the user's Google identity and IAM roles, not project-wide keys.
    metadata: { 'enable-oslogin': 'TRUE' },
    serviceAccount: g.serviceAccount,
    maxRunSeconds: runLimitSeconds(config),
  };
}
