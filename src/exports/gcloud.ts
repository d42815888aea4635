/**
 * The Cloud Build request `gcloud compute images export` sends, rebuilt step by step from gcloud's
 * source (lib/surface/compute/images/export.py and lib/googlecloudsdk/api_lib/compute/daisy_utils.py),
 * so an export from Slack runs Google's own export tool exactly as the CLI would.
 */
import type { BuildRequest } from './ports.ts';
import { regionOfZone } from '../platform/compute/port.ts';
import { type ExportFormat } from './formats.ts';

/**
 * daisy_utils.GetDefaultBuilder: gcr.io/{compute-image-import}/{gce_vm_image_export}:{release}. (gcloud
 * first looks for a regional Artifact Registry wrapper of the same tool and tag; we skip that probe.)
 */
export const EXPORT_BUILDER = 'gcr.io/compute-image-import/gce_vm_image_export:release';

/** export.py `tags`, prefixed with 'gce-daisy' by daisy_utils.RunImageCloudBuild. */
export const EXPORT_TAGS = ['gce-daisy', 'gce-daisy-image-export'];

/** daisy_utils.AddCommonDaisyArgs: `--timeout` defaults to 2h. */
export const BUILD_TIMEOUT_SECONDS = 2 * 3600;

/**
 * gcloud passes `-client_id=gcloud` and `-client_version=<SDK version>`; Google's documentation for
 * calling the tool through the API uses `-client_id=api`, which is what we are.
 */
export const CLIENT_ID = 'api';

/** daisy_utils.CLOUD_BUILD_REGIONS: regions with regional Cloud Build workers. */
export const CLOUD_BUILD_REGIONS = new Set([
  'asia-east1',
  'asia-northeast1',
  'asia-southeast1',
  'australia-southeast1',
  'europe-west1',
  'europe-west2',
  'europe-west3',
  'europe-west4',
  'europe-west6',
  'northamerica-northeast1',
  'southamerica-east1',
  'us-central1',
  'us-east1',
  'us-east4',
  'us-west1',
]);

/** daisy_utils.GetDaisyTimeout: the tool gives up 3% earlier than the build (at least 30 s, at most 300 s). */
export function daisyTimeoutSeconds(timeoutSeconds: number): number {
  const offset = Math.min(Math.max(Math.floor(timeoutSeconds * 0.03), 30), 300);
  return Math.max(1, timeoutSeconds - offset);
}

/** daisy_utils._GetImageExportRegion with a zone set: the zone's region; regional builds only where offered. */
export function buildLocation(zone: string): string | undefined {
  const region = regionOfZone(zone);
  return CLOUD_BUILD_REGIONS.has(region) ? region : undefined;
}

/**
 * daisy_utils.GetDaisyBucketName + _GetSafeBucketName: `{project}-daisy-bkt-{location}`, with ':' and
 * '.' made '-', no "google" in it, not starting with "goog", at most 63 characters.
 */
export function daisyBucketName(project: string, bucketLocation: string | null): string {
  let name = `${project.replaceAll(':', '-').replaceAll('.', '-')}-daisy-bkt`;
  if (bucketLocation) name = `${name}-${bucketLocation}`.toLowerCase();
  name = name.replaceAll('google', 'go-ogle');
  name = name.slice(0, 4).replace('goog', 'go-og') + name.slice(4);
  return name.slice(0, 63);
}

/** daisy_utils.AppendArg: `-name=value`, skipped when the value is empty. */
function appendArg(args: string[], name: string, value: string | undefined): void {
  if (value) args.push(`-${name}=${value}`);
}

export interface ExportBuildInput {
  project: string;
  zone: string;
  /** projects/P/global/images/I */
  sourceImage: string;
  destinationUri: string;
  format: ExportFormat;
  /** The scratch bucket gcloud creates (see daisyBucketName). */
  scratchBucket: string;
}

/** export.py Export.Run → daisy_utils.RunImageExport → _RunCloudBuild, in that order. */
export function exportBuildRequest(i: ExportBuildInput): BuildRequest {
  const args: string[] = [];
  appendArg(args, 'zone', i.zone);
  appendArg(args, 'scratch_bucket_gcs_path', `gs://${i.scratchBucket}/`);
  appendArg(args, 'timeout', `${daisyTimeoutSeconds(BUILD_TIMEOUT_SECONDS)}s`);
  appendArg(args, 'client_id', CLIENT_ID);
  appendArg(args, 'source_image', i.sourceImage);
  appendArg(args, 'destination_uri', i.destinationUri);
  // No --export-format means the GCE tar.gz, and gcloud then passes no -format at all.
  if (i.format !== 'tar.gz') appendArg(args, 'format', i.format);
  // _RunCloudBuild sorts the args ("for stable ordering in tests").
  return { steps: [{ name: EXPORT_BUILDER, args: args.sort() }], tags: [...EXPORT_TAGS], timeout: `${BUILD_TIMEOUT_SECONDS}s` };
}
