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

/** The zone preselected for an image: the configured default when the image can run there. */
export function defaultZoneFor(config: Config, imageRegion: string | null): string | undefined {
  const zones = zonesFor(config, imageRegion);
  return zones.includes(config.gce.defaultZone) ? config.gce.defaultZone : zones[0];
}

/** Why a zone is not offered for an image, in words an admin can act on. */
export function zoneRefusal(config: Config, imageRegion: string | null, zone: string): string | null {
  if (!config.gce.zones.includes(zone)) return `Zone \`${zone}\` is not one of the allowed zones: ${config.gce.zones.join(', ')}.`;
  if (zonesFor(config, imageRegion).includes(zone)) return null;
  const offered = zonesFor(config, imageRegion);
  return (
    `This image lives in ${imageRegion}, and there is no subnet configured for ${regionOfZone(zone)}, so it cannot run in \`${zone}\`` +
    (offered.length ? `. Pick one of ${offered.join(', ')}.` : `. An admin can add one to GCE_SUBNETS.`)
  );
}

/** Where the app of a demo is checked: its external IP, or its internal one when VMs have none (the worker runs in the VPC). */
export function appHost(config: Config, demo: { externalIp?: string | null; internalIp?: string | null }): string | null {
  return (config.gce.externalIp === 'none' ? demo.internalIp : demo.externalIp) ?? null;
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
