/** Building instance resources and moving them between statuses (IPs and timestamps follow GCE). */
import { regionOfZone } from '../../src/platform/compute/port.ts';
import { invalidField, notFound } from './errors.ts';
import { lastSegment, type SimState } from './state.ts';
import type { GceInstance, GceInstanceStatus, GceMachineImage, GceNetworkInterface, GceScheduling, GceVmProperties } from './types.ts';

/** An instance plus a generation that bumps on every change of course, so stale timers do nothing. */
export interface SimInstance {
  res: GceInstance;
  gen: number;
}

const MACHINE_TYPE_PATH = /(?:^|\/)zones\/([^/]+)\/machineTypes\/([^/]+)$/;
const MACHINE_IMAGE_PATH = /(?:^|\/)(?:projects\/([^/]+)\/)?global\/machineImages\/([^/]+)$/;

/** `zones/Z/machineTypes/T` or a full URL → the full URL, if the type exists in that zone. */
export function resolveMachineType(s: SimState, zone: string, value: string): string {
  const m = MACHINE_TYPE_PATH.exec(value);
  const type = m?.[2] ?? value;
  if (!m || m[1] !== zone || !s.machineTypes.includes(type)) {
    throw invalidField('resource.machineType', value, `Machine type with name '${type}' does not exist in zone '${zone}'.`);
  }
  return s.link('zones', zone, 'machineTypes', type);
}

/** `projects/P/global/machineImages/N`, `global/machineImages/N` or a full URL → the image name. */
export function machineImageName(s: SimState, value: string): string {
  const m = MACHINE_IMAGE_PATH.exec(value);
  if (!m) {
    throw invalidField('resource.sourceMachineImage', value, 'The URL is malformed. Expected a machine image URL or partial path.');
  }
  if (m[1] && m[1] !== s.project) throw notFound(`projects/${m[1]}/global/machineImages/${m[2]}`);
  return m[2]!;
}

/** A VM's first interface on the default network's subnet of `region`, with an ephemeral external IP. */
export function defaultNic(s: SimState, region: string): GceNetworkInterface {
  return {
    kind: 'compute#networkInterface',
    name: 'nic0',
    network: s.link('global', 'networks', 'default'),
    subnetwork: s.link('regions', region, 'subnetworks', 'default'),
    accessConfigs: [{ kind: 'compute#accessConfig', type: 'ONE_TO_ONE_NAT', name: 'External NAT', networkTier: 'PREMIUM' }],
  };
}

/** The project's Compute Engine default service account (what GCE gives a VM unless told otherwise). */
export const DEFAULT_COMPUTE_SA = '123456789012-compute@developer.gserviceaccount.com';

/** What an API insert without these fields gives a VM: no metadata, no tags, no service account. */
export function defaultVmProperties(s: SimState): GceVmProperties {
  return {
    metadata: { kind: 'compute#metadata', fingerprint: s.fingerprint({}), items: [] },
    tags: { fingerprint: s.fingerprint({}), items: [] },
    serviceAccounts: [],
    scheduling: { onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD' },
  };
}

const SUBNET_PATH = /(?:^|\/)projects\/[^/]+\/regions\/([^/]+)\/subnetworks\/[^/]+$/;

/** The request's network interfaces as GCE stores them; a subnet outside the VM's region is refused as GCE does. */
function networkInterfaces(s: SimState, zone: string, given: unknown): GceNetworkInterface[] {
  if (!Array.isArray(given)) throw invalidField('resource.networkInterfaces', '', 'Must be a list of network interfaces.');
  return given.map((raw: Record<string, unknown>, i) => {
    const field = `resource.networkInterfaces[${i}].subnetwork`;
    const subnetwork = typeof raw.subnetwork === 'string' ? raw.subnetwork : s.link('regions', regionOfZone(zone), 'subnetworks', 'default');
    const region = SUBNET_PATH.exec(subnetwork)?.[1];
    if (!region) throw invalidField(field, subnetwork, 'The URL is malformed.');
    if (region !== regionOfZone(zone)) {
      throw invalidField(field, subnetwork, `Subnetwork should belong to the region of the instance. Region of the instance: ${regionOfZone(zone)}.`);
    }
    const access = Array.isArray(raw.accessConfigs) ? (raw.accessConfigs as Array<Record<string, unknown>>) : [];
    return {
      kind: 'compute#networkInterface',
      name: `nic${i}`,
      network: typeof raw.network === 'string' ? raw.network : s.link('global', 'networks', 'default'),
      subnetwork: subnetwork.startsWith('https://') ? subnetwork : `${s.linkBase}/${subnetwork.slice(subnetwork.indexOf('projects/'))}`,
      accessConfigs: access.map((a) => ({
        kind: 'compute#accessConfig',
        type: 'ONE_TO_ONE_NAT',
        name: String(a.name ?? 'External NAT'),
        networkTier: 'PREMIUM',
      })),
    };
  });
}

export function parseScheduling(given: Record<string, unknown>): GceScheduling {
  const action = given.instanceTerminationAction;
  if (action !== undefined && action !== 'STOP' && action !== 'DELETE') {
    throw invalidField('resource.scheduling.instanceTerminationAction', String(action), 'Must be STOP or DELETE.');
  }
  const run = given.maxRunDuration as { seconds?: string | number } | undefined;
  if (run && !(Number(run.seconds) >= 30 && Number(run.seconds) <= 120 * 86_400)) {
    throw invalidField('resource.scheduling.maxRunDuration.seconds', String(run.seconds), 'Must be between 30 seconds and 120 days.');
  }
  if (run && !action) throw invalidField('resource.scheduling.instanceTerminationAction', '', 'Required with maxRunDuration.');
  return {
    onHostMaintenance: given.onHostMaintenance === 'TERMINATE' ? 'TERMINATE' : 'MIGRATE',
    automaticRestart: given.automaticRestart !== false,
    preemptible: given.preemptible === true,
    provisioningModel: given.provisioningModel === 'SPOT' ? 'SPOT' : 'STANDARD',
    ...(run ? { maxRunDuration: { seconds: String(run.seconds) } } : {}),
    ...(action ? { instanceTerminationAction: action } : {}),
  };
}

/**
 * GCE's rule for an insert from a machine image: a field given in the request replaces the image's
 * value whole (metadata, tags, network interfaces, service accounts, scheduling); the rest is the image's.
 */
export function vmProperties(
  s: SimState,
  zone: string,
  body: Record<string, unknown>,
  image: GceMachineImage | undefined,
): GceVmProperties & { networkInterfaces: GceNetworkInterface[] } {
  const base = image ? structuredClone(image.instanceProperties) : { ...defaultVmProperties(s), networkInterfaces: [defaultNic(s, regionOfZone(zone))] };
  const metadataItems = (body.metadata as { items?: Array<{ key: string; value: string }> } | undefined)?.items;
  const tagItems = (body.tags as { items?: string[] } | undefined)?.items;
  return {
    metadata: metadataItems
      ? { kind: 'compute#metadata', fingerprint: s.fingerprint({ items: JSON.stringify(metadataItems) }), items: metadataItems }
      : base.metadata,
    tags: tagItems ? { fingerprint: s.fingerprint({ items: JSON.stringify(tagItems) }), items: tagItems } : base.tags,
    serviceAccounts: Array.isArray(body.serviceAccounts) ? (body.serviceAccounts as GceVmProperties['serviceAccounts']) : base.serviceAccounts,
    scheduling: body.scheduling ? parseScheduling(body.scheduling as Record<string, unknown>) : base.scheduling,
    networkInterfaces: networkInterfaces(s, zone, body.networkInterfaces ?? base.networkInterfaces),
  };
}

export function buildInstance(
  s: SimState,
  args: {
    zone: string;
    name: string;
    machineTypeUrl: string;
    labels: Record<string, string>;
    description?: string;
    image?: GceMachineImage;
    properties: GceVmProperties & { networkInterfaces: GceNetworkInterface[] };
  },
): GceInstance {
  const { zone, name } = args;
  return {
    ...args.properties,
    kind: 'compute#instance',
    id: s.newId(),
    name,
    description: args.description ?? args.image?.sourceInstanceProperties.description ?? '',
    zone: s.link('zones', zone),
    machineType: args.machineTypeUrl,
    status: 'PROVISIONING',
    labels: args.labels,
    labelFingerprint: s.fingerprint(args.labels),
    creationTimestamp: s.timestamp(),
    ...(args.image ? { sourceMachineImage: args.image.selfLink } : {}),
    disks: [
      {
        kind: 'compute#attachedDisk',
        type: 'PERSISTENT',
        mode: 'READ_WRITE',
        source: s.link('zones', zone, 'disks', name),
        deviceName: 'persistent-disk-0',
        index: 0,
        boot: true,
        autoDelete: true,
        interface: 'SCSI',
        diskSizeGb: '20',
      },
    ],
    selfLink: s.link('zones', zone, 'instances', name),
  };
}

/** Apply a status with the side effects GCE shows: IPs on staging, timestamps, NAT IP released on stop. */
export function applyStatus(s: SimState, res: GceInstance, status: GceInstanceStatus, at = s.timestamp()): void {
  const nic0 = res.networkInterfaces[0];
  const access = nic0?.accessConfigs[0];
  if (status === 'STAGING' || status === 'RUNNING') {
    if (nic0 && !nic0.networkIP) nic0.networkIP = s.nextInternalIp();
    if (access && !access.natIP) access.natIP = s.nextExternalIp();
  }
  if (status === 'RUNNING' && res.status !== 'RUNNING') res.lastStartTimestamp = at;
  if ((status === 'TERMINATED' || status === 'STOPPED') && res.status !== status) {
    res.lastStopTimestamp = at;
    if (access) delete access.natIP;
  }
  if (status === 'SUSPENDED' && res.status !== status) res.lastSuspendedTimestamp = s.timestamp();
  res.status = status;
  s.instanceChanged(res, false);
}

/** When GCE stops a RUNNING VM by itself (scheduling.maxRunDuration with STOP), if it will. */
export function runLimitEnd(res: GceInstance): Date | undefined {
  const seconds = Number(res.scheduling.maxRunDuration?.seconds);
  if (res.status !== 'RUNNING' || res.scheduling.instanceTerminationAction !== 'STOP' || !seconds || !res.lastStartTimestamp) return undefined;
  return new Date(Date.parse(res.lastStartTimestamp) + seconds * 1000);
}

/** GCE keeps a VM suspended for at most 60 days, then stops it. */
export const SUSPEND_LIMIT_DAYS = 60;

/** When GCE stops a SUSPENDED VM by itself (60 days after it was suspended). */
export function suspendLimitEnd(res: GceInstance): Date | undefined {
  if (res.status !== 'SUSPENDED' || !res.lastSuspendedTimestamp) return undefined;
  return new Date(Date.parse(res.lastSuspendedTimestamp) + SUSPEND_LIMIT_DAYS * 86_400_000);
}

export function zoneOf(res: GceInstance): string {
  return lastSegment(res.zone);
}
