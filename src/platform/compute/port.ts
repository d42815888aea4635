import { sql, type RawBuilder } from 'kysely';

/**
 * The Compute port: what the product needs from GCE, in product words. The adapter (gce.ts) speaks
 * @google-cloud/compute; the simulator speaks the same REST subset, so both are driven by one adapter.
 */

export type InstanceStatus = 'PROVISIONING' | 'STAGING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'SUSPENDING' | 'SUSPENDED' | 'REPAIRING' | 'TERMINATED';

export interface MachineImage {
  name: string;
  /** projects/P/global/machineImages/N */
  resourcePath: string;
  description: string;
  labels: Record<string, string>;
  status: string; // CREATING | READY | UPLOADING | DELETING | INVALID
  createdAt: Date;
  /** Full URL of the instance it was made from, when GCE reports one. */
  sourceInstance?: string;
  /** Cloud Storage locations it is kept in: a region (us-central1) or a multi-region (us, eu, asia). */
  storageLocations?: string[];
  totalStorageBytes?: number;
}

/** A machine type a zone offers (GCE's MachineType resource). */
export interface MachineTypeInfo {
  name: string;
  /** The zone's name, e.g. us-central1-a. */
  zone: string;
  guestCpus: number;
  memoryMb: number;
  /** A shared-core type (e2-micro, e2-small, e2-medium…): bursts, not a full core per vCPU. */
  isSharedCpu: boolean;
  description?: string;
}

export interface Instance {
  /** GCE's numeric id (what Cloud Monitoring's gce_instance resource names as instance_id). */
  id?: string;
  name: string;
  zone: string;
  status: InstanceStatus;
  machineType: string; // short name, e.g. e2-medium
  labels: Record<string, string>;
  /** What setInstanceLabels must quote: GCE refuses a change made from stale labels. */
  labelFingerprint?: string;
  externalIp?: string;
  internalIp?: string;
  sourceMachineImage?: string;
  createdAt?: Date;
  /** Last time GCE reports the VM started / stopped / was suspended (lastStartTimestamp, lastStopTimestamp, lastSuspendedTimestamp). */
  lastStartAt?: Date;
  lastStopAt?: Date;
  lastSuspendedAt?: Date;
  /** The boot disk, `projects/P/zones/Z/disks/N` (what images.insert takes as sourceDisk). */
  bootDisk?: string;
  /** GCE stops the VM after running this long (scheduling.maxRunDuration with instanceTerminationAction STOP). */
  maxRunSeconds?: number;
  /** Emails of the service accounts it runs as (none: []). */
  serviceAccounts: string[];
}

export interface Disk {
  name: string;
  zone: string;
  sizeGb: number;
  status: string; // CREATING | RESTORING | READY | FAILED | DELETING
  /** Instances it is attached to (full URLs). */
  users: string[];
}

/** A GCE *image* (not a machine image): what the export tool reads. */
export interface DiskImage {
  name: string;
  /** projects/P/global/images/N */
  resourcePath: string;
  status: string; // PENDING | READY | FAILED | DELETING
  labels: Record<string, string>;
  diskSizeGb?: number;
  archiveSizeBytes?: number;
  sourceDisk?: string;
  createdAt?: Date;
}

export interface InsertImageRequest {
  name: string;
  /** projects/P/zones/Z/disks/N; GCE refuses a disk attached to a running VM (stop it first). */
  sourceDisk: string;
  description?: string;
  labels?: Record<string, string>;
  requestId: string;
}

/** Where an operation lives: a zone, or global (machine images, images). */
export interface OperationRef {
  name: string;
  zone?: string;
}

export interface OperationResult {
  status: 'PENDING' | 'RUNNING' | 'DONE';
  /**
   * Set when DONE with an error; code is GCE's, e.g. ZONE_RESOURCE_POOL_EXHAUSTED, QUOTA_EXCEEDED;
   * kind is the same refusal in product words (stockout, quota, …), see operationErrorKind().
   */
  error?: { code: string; message: string; kind: GcpErrorKind };
  targetLink?: string;
}

export interface Page<T> {
  items: T[];
  nextPageToken?: string;
}

export interface InsertInstanceRequest {
  name: string;
  zone: string;
  /** projects/P/global/machineImages/N (or just N; the adapter expands it). */
  sourceMachineImage: string;
  machineType?: string;
  labels: Record<string, string>;
  /**
   * What a demo VM needs beyond the image. GCE replaces an image's field with the request's, so the
   * adapter merges these into the image's own values (tags, metadata items, network interfaces).
   */
  placement?: {
    /** A subnetwork of the zone's region; without it the image's own network interface is kept. */
    subnetwork?: string;
    /** false: no external IP (the VM is reached through IAP). */
    externalIp: boolean;
    /** Added to the image's network tags. */
    tags: string[];
    /** Set on top of the image's metadata items (e.g. enable-oslogin=TRUE). */
    metadata: Record<string, string>;
    /** null: keep the image's (GCE cannot be told "none" at insert; see setServiceAccount). */
    serviceAccount: { email: string; scopes: string[] } | null;
    /** GCE stops the VM after running this long. */
    maxRunSeconds: number;
  };
  /** A UUID fixed per step; GCE ignores a repeat within an hour. */
  requestId: string;
}

export interface InsertMachineImageRequest {
  name: string;
  /** The instance to save (GCE allows one machine image per instance per 10 minutes: debounce). */
  sourceInstance: { zone: string; name: string };
  description?: string;
  labels?: Record<string, string>;
  requestId: string;
}

export interface Compute {
  readonly project: string;
  listMachineImages(opts?: { filter?: string; pageToken?: string; maxResults?: number }): Promise<Page<MachineImage>>;
  getMachineImage(name: string): Promise<MachineImage | null>;
  /** Save an instance as a machine image (a global operation). */
  insertMachineImage(req: InsertMachineImageRequest): Promise<OperationRef>;
  deleteMachineImage(name: string, requestId: string): Promise<OperationRef>;
  insertInstance(req: InsertInstanceRequest): Promise<OperationRef>;
  getInstance(zone: string, name: string): Promise<Instance | null>;
  /** All instances of the project with an optional filter (aggregated list, paged). */
  listInstances(opts?: { filter?: string; pageToken?: string; maxResults?: number }): Promise<Page<Instance>>;
  stopInstance(zone: string, name: string, requestId: string): Promise<OperationRef>;
  startInstance(zone: string, name: string, requestId: string): Promise<OperationRef>;
  deleteInstance(zone: string, name: string, requestId: string): Promise<OperationRef>;
  /** Keep the VM's memory and stop charging for its cores (RUNNING → SUSPENDED; GCE keeps it so ≤ 60 days, ≤ 208 GB RAM). */
  suspendInstance(zone: string, name: string, requestId: string): Promise<OperationRef>;
  /** Back to RUNNING with its memory, so its applications are already up. */
  resumeInstance(zone: string, name: string, requestId: string): Promise<OperationRef>;
  /** Replace an instance's labels (instances.setLabels); `labelFingerprint` from the getInstance they were read with. */
  setInstanceLabels(req: { zone: string; name: string; labels: Record<string, string>; labelFingerprint: string; requestId: string }): Promise<OperationRef>;
  /** Let GCE stop the VM after `seconds` of running (setScheduling; the VM must be TERMINATED). */
  setMaxRunDuration(req: { zone: string; name: string; seconds: number; requestId: string }): Promise<OperationRef>;
  /** Replace the VM's service account; null removes it (setServiceAccount; the VM must be TERMINATED). */
  setServiceAccount(req: { zone: string; name: string; account: { email: string; scopes: string[] } | null; requestId: string }): Promise<OperationRef>;
  /** Every machine type the zone offers (machineTypes.list, all pages). */
  listMachineTypes(zone: string): Promise<MachineTypeInfo[]>;
  getDisk(zone: string, name: string): Promise<Disk | null>;
  /** Create an image from a disk (a global operation). */
  insertImage(req: InsertImageRequest): Promise<OperationRef>;
  getImage(name: string): Promise<DiskImage | null>;
  deleteImage(name: string, requestId: string): Promise<OperationRef>;
  getOperation(op: OperationRef): Promise<OperationResult>;
  /**
   * Wait until the operation is DONE (looping on the operations `wait` call, which returns after at
   * most ~2 min), retrying transient errors. Resolves with the final result (check `error`).
   */
  waitOperation(op: OperationRef, opts?: { timeoutMs?: number; signal?: AbortSignal }): Promise<OperationResult>;
}

/** Kinds of refusal, so callers decide without knowing HTTP or gax. */
export type GcpErrorKind =
  | 'quota' // 403 quotaExceeded / QUOTA_EXCEEDED
  | 'permission' // 403 forbidden
  | 'invalid' // 400
  | 'not_found' // 404
  | 'conflict' // 409 alreadyExists
  | 'rate_limited' // 429
  | 'unavailable' // 5xx, network, timeouts
  | 'stockout' // ZONE_RESOURCE_POOL_EXHAUSTED
  | 'unknown';

/** A failed Google Cloud call (Compute, Cloud Build, Storage), by kind. */
export class GcpError extends Error {
  readonly kind: GcpErrorKind;
  readonly httpStatus?: number;
  /** GCE's reason or code, e.g. quotaExceeded, ZONE_RESOURCE_POOL_EXHAUSTED. */
  readonly reason?: string;
  constructor(kind: GcpErrorKind, message: string, opts: { httpStatus?: number; reason?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'GcpError';
    this.kind = kind;
    this.httpStatus = opts.httpStatus;
    this.reason = opts.reason;
  }
  /** Safe to retry the same call (with the same requestId). */
  get retryable(): boolean {
    return this.kind === 'rate_limited' || this.kind === 'unavailable';
  }
}

/** The kind of a DONE operation's error code (ZONE_RESOURCE_POOL_EXHAUSTED[_WITH_DETAILS] is a stockout). */
export function operationErrorKind(code: string): GcpErrorKind {
  if (code.startsWith('ZONE_RESOURCE_POOL_EXHAUSTED')) return 'stockout';
  if (code === 'QUOTA_EXCEEDED' || code.endsWith('_QUOTA_EXCEEDED')) return 'quota';
  if (code === 'RESOURCE_NOT_FOUND' || code === 'NOT_FOUND') return 'not_found';
  if (code === 'RESOURCE_ALREADY_EXISTS' || code === 'ALREADY_EXISTS') return 'conflict';
  if (code === 'PERMISSION_DENIED' || code === 'FORBIDDEN') return 'permission';
  if (code === 'INVALID_ARGUMENT' || code.startsWith('INVALID_')) return 'invalid';
  // Never a retryable kind: repeating the call with the same requestId returns this same failed operation.
  return 'unknown';
}

/**
 * A failed DONE operation as a GcpError (reason = GCE's code), or undefined when it succeeded.
 * To try again (e.g. another zone after a stockout) send a new call with a new requestId.
 */
export function operationFailure(result: OperationResult): GcpError | undefined {
  if (!result.error) return undefined;
  return new GcpError(result.error.kind, result.error.message, { reason: result.error.code });
}

/** A zone is its region plus a one-letter suffix; PostgreSQL's regexp_replace reads the same pattern. */
const ZONE_SUFFIX = '-[a-z]$';

/** us-central1-a → us-central1 */
export function regionOfZone(zone: string): string {
  return zone.replace(new RegExp(ZONE_SUFFIX), '');
}

/** regionOfZone in SQL, for queries that join a row's zone to a region (machine prices). */
export function regionOfZoneSql(zoneColumn: string): RawBuilder<string> {
  return sql<string>`regexp_replace(${sql.ref(zoneColumn)}, ${sql.lit(ZONE_SUFFIX)}, '')`;
}

/** Links a user opens for a demo VM. */
export function consoleLinks(project: string, zone: string, instance: string) {
  const detail = `https://console.cloud.google.com/compute/instancesDetail/zones/${zone}/instances/${instance}`;
  return {
    console: `${detail}?project=${project}`,
    serial: `${detail}/console?port=1&project=${project}`,
    ssh: `https://ssh.cloud.google.com/v2/ssh/projects/${project}/zones/${zone}/instances/${instance}`,
  };
}
