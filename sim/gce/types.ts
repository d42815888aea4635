/** Wire shapes (GCE JSON, camelCase, int64 as strings) and the state shared by the resource modules. */

export type OperationStatus = 'PENDING' | 'RUNNING' | 'DONE';

export interface GceOperation {
  kind: 'compute#operation';
  id: string;
  name: string;
  operationType: string;
  targetLink: string;
  targetId: string;
  status: OperationStatus;
  progress: number;
  user: string;
  insertTime: string;
  startTime?: string;
  endTime?: string;
  selfLink: string;
  /** Zone URL for zonal operations; absent for global ones. */
  zone?: string;
  clientOperationId?: string;
  error?: { errors: Array<{ code: string; message: string }> };
  httpErrorStatusCode?: number;
  httpErrorMessage?: string;
}

export interface GceAccessConfig {
  kind: 'compute#accessConfig';
  type: 'ONE_TO_ONE_NAT';
  name: string;
  networkTier: 'PREMIUM';
  natIP?: string;
}

export interface GceNetworkInterface {
  kind: 'compute#networkInterface';
  name: string;
  network: string;
  subnetwork: string;
  networkIP?: string;
  accessConfigs: GceAccessConfig[];
}

/** The properties a VM is made with, as a machine image keeps them (GCE's InstanceProperties subset). */
export interface GceVmProperties {
  metadata: { kind: 'compute#metadata'; fingerprint: string; items: Array<{ key: string; value: string }> };
  tags: { fingerprint: string; items: string[] };
  serviceAccounts: Array<{ email: string; scopes: string[] }>;
  scheduling: GceScheduling;
}

export interface GceScheduling {
  onHostMaintenance: 'MIGRATE' | 'TERMINATE';
  automaticRestart: boolean;
  preemptible: boolean;
  provisioningModel: 'STANDARD' | 'SPOT';
  /** GCE stops (or deletes) the VM this long after each start. */
  maxRunDuration?: { seconds: string; nanos?: number };
  instanceTerminationAction?: 'STOP' | 'DELETE';
}

export type GceInstanceStatus = 'PROVISIONING' | 'STAGING' | 'RUNNING' | 'STOPPING' | 'STOPPED' | 'SUSPENDING' | 'SUSPENDED' | 'REPAIRING' | 'TERMINATED';

export interface GceInstance extends GceVmProperties {
  kind: 'compute#instance';
  id: string;
  name: string;
  description: string;
  zone: string;
  machineType: string;
  status: GceInstanceStatus;
  labels: Record<string, string>;
  labelFingerprint: string;
  creationTimestamp: string;
  lastStartTimestamp?: string;
  lastStopTimestamp?: string;
  lastSuspendedTimestamp?: string;
  sourceMachineImage?: string;
  networkInterfaces: GceNetworkInterface[];
  disks: Array<Record<string, unknown>>;
  /** GPUs attached (GCE cannot suspend such a VM). */
  guestAccelerators?: Array<{ acceleratorType: string; acceleratorCount: number }>;
  selfLink: string;
}

export interface GceMachineImage {
  kind: 'compute#machineImage';
  id: string;
  name: string;
  description: string;
  labels: Record<string, string>;
  labelFingerprint: string;
  status: 'CREATING' | 'READY' | 'UPLOADING' | 'DELETING' | 'INVALID';
  creationTimestamp: string;
  sourceInstance?: string;
  sourceInstanceProperties: {
    description: string;
    machineType: string; // short name, as GCE reports it here
    labels: Record<string, string>;
    disks: Array<Record<string, unknown>>;
    networkInterfaces: Array<Record<string, unknown>>;
  };
  /** What VMs made from it get unless the insert says otherwise (each field given replaces the image's). */
  instanceProperties: GceVmProperties & {
    machineType: string;
    labels: Record<string, string>;
    networkInterfaces: GceNetworkInterface[];
  };
  storageLocations: string[];
  totalStorageBytes: string;
  selfLink: string;
}

/** What a route handler returns: a status and a JSON body. */
export interface Reply {
  status: number;
  body: unknown;
}

export interface RouteContext {
  params: Record<string, string>;
  query: URLSearchParams;
  body: Record<string, unknown>;
  /** Resolves when the client goes away (used by long waits). */
  aborted: Promise<void>;
}

export interface Route {
  httpMethod: 'GET' | 'POST' | 'DELETE';
  /** Path below /compute/v1/projects/{project}/, as a regex with named groups. */
  pattern: RegExp;
  /** GCE method name, e.g. instances.insert — used for faults and the request log. */
  method: string;
  handle: (ctx: RouteContext) => Reply | Promise<Reply>;
}
