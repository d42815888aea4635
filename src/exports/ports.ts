/**
 * The ports exports need from Cloud Build and Cloud Storage. The adapters (cloud-build.ts,
 * storage.ts) hold Google's client libraries and are loaded only by the worker role.
 */

export type BuildStatusName =
  'STATUS_UNKNOWN' | 'PENDING' | 'QUEUED' | 'WORKING' | 'SUCCESS' | 'FAILURE' | 'INTERNAL_ERROR' | 'TIMEOUT' | 'CANCELLED' | 'EXPIRED';

export const FINAL_BUILD_STATUSES: ReadonlySet<BuildStatusName> = new Set(['SUCCESS', 'FAILURE', 'INTERNAL_ERROR', 'TIMEOUT', 'CANCELLED', 'EXPIRED']);

export interface BuildRequest {
  steps: Array<{ name: string; args: string[] }>;
  tags: string[];
  /** A duration as the API writes it, e.g. '7200s'. */
  timeout: string;
  logsBucket?: string;
}

/** Where a build lives: a region (projects/P/locations/L/builds/ID) or the global endpoint. */
export interface BuildRef {
  project: string;
  location?: string;
  id: string;
}

export interface BuildInfo {
  id: string;
  status: BuildStatusName;
  logUrl?: string;
  /** Why it failed, in Cloud Build's words (failureInfo.detail or statusDetail). */
  detail?: string;
  createTime?: Date;
  /** The first step's args (to recognise our own build when recovering it). */
  args: string[];
}

export interface CloudBuild {
  /** Starts a build; the operation name and build id must be recorded before anything else. */
  create(project: string, location: string | undefined, build: BuildRequest): Promise<{ operationName: string; build: BuildInfo }>;
  get(ref: BuildRef): Promise<BuildInfo>;
  /** Asks Cloud Build to stop it; a build that already ended is left as it is. */
  cancel(ref: BuildRef): Promise<void>;
  /** Recent builds carrying every one of these tags, newest first. */
  listByTags(project: string, location: string | undefined, tags: string[], pageSize?: number): Promise<BuildInfo[]>;
}

/** A V4 signed URL lives at most 7 days (604800 s). */
export const MAX_SIGNED_URL_DAYS = 7;

export interface SignedUrl {
  url: string;
  expiresAt: Date;
  days: number;
  /** The configured number of days was more than V4 allows. */
  clamped: boolean;
}

export interface ExportStorage {
  /** e.g. 'US', 'EUROPE-WEST1'; null when the bucket does not exist. */
  bucketLocation(bucket: string): Promise<string | null>;
  /** Create the bucket in the project unless it exists already (gcloud's CreateBucketIfNotExists). */
  ensureBucket(name: string, location: string | null): Promise<void>;
  /** Size in bytes; null when there is no such object. */
  objectSize(uri: string): Promise<number | null>;
  signedUrl(uri: string, days: number): Promise<SignedUrl>;
}
