/** Building instance resources and moving them between statuses (IPs and timestamps follow GCE). */
import { regionOfZone } from '../../src/platform/compute/port.ts';
import { invalidField, notFound } from './errors.ts';
import { lastSegment, type SimState } from './state.ts';
import type { GceInstance, GceInstanceStatus, GceMachineImage, GceNetworkInterface } from './types.ts';

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

function nic(s: SimState, zone: string): GceNetworkInterface {
  return {
    kind: 'compute#networkInterface',
    name: 'nic0',
    network: s.link('global', 'networks', 'default'),
    subnetwork: s.link('regions', regionOfZone(zone), 'subnetworks', 'default'),
    accessConfigs: [{ kind: 'compute#accessConfig', type: 'ONE_TO_ONE_NAT', name: 'External NAT', networkTier: 'PREMIUM' }],
  };
}

export function buildInstance(
  s: SimState,
  args: { zone: string; name: string; machineTypeUrl: string; labels: Record<string, string>; description?: string; image?: GceMachineImage },
): GceInstance {
  const { zone, name } = args;
  return {
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
    networkInterfaces: [nic(s, zone)],
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
export function applyStatus(s: SimState, res: GceInstance, status: GceInstanceStatus): void {
  const nic0 = res.networkInterfaces[0];
  const access = nic0?.accessConfigs[0];
  if (status === 'STAGING' || status === 'RUNNING') {
    if (nic0 && !nic0.networkIP) nic0.networkIP = s.nextInternalIp();
    if (access && !access.natIP) access.natIP = s.nextExternalIp();
  }
  if (status === 'RUNNING' && res.status !== 'RUNNING') res.lastStartTimestamp = s.timestamp();
  if ((status === 'TERMINATED' || status === 'STOPPED') && res.status !== status) {
    res.lastStopTimestamp = s.timestamp();
    if (access) delete access.natIP;
  }
  res.status = status;
}

export function zoneOf(res: GceInstance): string {
  return lastSegment(res.zone);
}
