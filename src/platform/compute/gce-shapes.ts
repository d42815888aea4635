/** GCE's REST objects, as the compute client decodes them, turned into the port's types. */
import { protos } from '@google-cloud/compute';
import {
  GcpError,
  type Instance,
  type InstanceStatus,
  type MachineImage,
  type MachineTypeInfo,
  type OperationRef,
  type OperationResult,
  operationErrorKind,
} from './port.ts';
import { bootDiskOf } from './gce-images.ts';
import { stripControlCharacters } from '../control-characters.ts';

type IOperation = protos.google.cloud.compute.v1.IOperation;
type IInstance = protos.google.cloud.compute.v1.IInstance;
type IMachineImage = protos.google.cloud.compute.v1.IMachineImage;
type IMachineType = protos.google.cloud.compute.v1.IMachineType;

const last = (s: string | null | undefined): string => (s ? s.slice(s.lastIndexOf('/') + 1) : '');
const date = (s: string | null | undefined): Date | undefined => (s ? new Date(s) : undefined);
export const text = (s: string | null | undefined): string | undefined => s || undefined;
/** `https://…/compute/v1/projects/P/…` → `projects/P/…`. */
const relative = (s: string | null | undefined): string | undefined => (s ? s.slice(Math.max(0, s.indexOf('projects/'))) : undefined);

/**
 * The REST transport decodes enums as their names (google-gax fallback: `enums: String`); a number,
 * should one ever come, is looked up in the package's generated enums.
 */
function enumName(v: unknown, message: 'Instance' | 'Operation'): string {
  if (typeof v !== 'number') return String(v ?? '');
  return (protos.google.cloud.compute.v1[message].Status as unknown as Record<number, string>)[v] ?? String(v);
}

export function toInstance(i: IInstance): Instance {
  const nic = i.networkInterfaces?.[0];
  return {
    id: i.id === null || i.id === undefined ? undefined : String(i.id),
    name: i.name ?? '',
    zone: last(i.zone),
    status: enumName(i.status, 'Instance') as InstanceStatus,
    machineType: last(i.machineType),
    labels: { ...(i.labels ?? {}) },
    labelFingerprint: text(i.labelFingerprint),
    externalIp: text(nic?.accessConfigs?.[0]?.natIP),
    internalIp: text(nic?.networkIP),
    sourceMachineImage: relative(i.sourceMachineImage),
    createdAt: date(i.creationTimestamp),
    lastStartAt: date(i.lastStartTimestamp),
    lastStopAt: date(i.lastStopTimestamp),
    lastSuspendedAt: date(i.lastSuspendedTimestamp),
    bootDisk: bootDiskOf(i.disks),
    maxRunSeconds: i.scheduling?.instanceTerminationAction === 'STOP' && i.scheduling.maxRunDuration ? Number(i.scheduling.maxRunDuration.seconds) : undefined,
    serviceAccounts: (i.serviceAccounts ?? []).map((a) => a.email ?? ''),
  };
}

export function toMachineImage(project: string, m: IMachineImage): MachineImage {
  const name = m.name ?? '';
  const bytes = m.totalStorageBytes === null || m.totalStorageBytes === undefined ? undefined : Number(m.totalStorageBytes);
  return {
    name,
    resourcePath: `projects/${project}/global/machineImages/${name}`,
    // Free text anyone with access to the project wrote: cleaned here, before the catalog stores it.
    description: stripControlCharacters(m.description ?? ''),
    labels: { ...(m.labels ?? {}) },
    status: m.status ?? '',
    createdAt: date(m.creationTimestamp) ?? new Date(0),
    sourceInstance: text(m.sourceInstance),
    storageLocations: m.storageLocations?.length ? [...m.storageLocations] : undefined,
    totalStorageBytes: Number.isFinite(bytes) ? bytes : undefined,
  };
}

export function toMachineType(t: IMachineType, zone: string): MachineTypeInfo {
  return {
    name: t.name ?? '',
    zone: last(t.zone) || zone, // GCE gives the zone's name; take the last segment should a URL come
    guestCpus: t.guestCpus ?? 0,
    memoryMb: t.memoryMb ?? 0,
    isSharedCpu: t.isSharedCpu ?? false,
    description: text(t.description),
  };
}

export function toOperationResult(op: IOperation): OperationResult {
  const status = enumName(op.status, 'Operation') as OperationResult['status'];
  const first = op.error?.errors?.[0];
  const code = first?.code ?? (op.error ? 'UNKNOWN' : undefined);
  return {
    status,
    ...(code ? { error: { code, message: first?.message ?? code, kind: operationErrorKind(code) } } : {}),
    ...(op.targetLink ? { targetLink: op.targetLink } : {}),
  };
}

export function toRef(lro: { latestResponse?: unknown }, zone?: string): OperationRef {
  // lro.name is the numeric id; `wait` takes the operation's name.
  const op = lro.latestResponse as IOperation;
  if (!op?.name) throw new GcpError('unknown', 'GCE answered without an operation name');
  return zone ? { name: op.name, zone } : { name: op.name };
}
