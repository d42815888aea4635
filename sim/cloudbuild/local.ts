import type { GceSimulator } from '../gce/index.ts';
import { FakeCloudBuild, type CloudBuildSnapshot } from './server.ts';

/**
 * Local mode: Cloud Build and Cloud Storage beside the GCE simulator, so an export runs end to end on
 * a laptop. Builds take a little while, as real ones do, and fail when their source image is missing.
 */
export async function startLocalCloudBuild(sim: GceSimulator, buckets: string[], saved?: CloudBuildSnapshot): Promise<FakeCloudBuild> {
  const fake = new FakeCloudBuild({ queuedMs: 2_000, workingMs: 20_000, sourceImageExists: (_project, name) => sim.image(name)?.status === 'READY' });
  if (saved) fake.restore(saved);
  for (const bucket of buckets) if (!fake.gcs.buckets.has(bucket)) fake.gcs.addBucket(bucket, 'US');
  await fake.listen(0, '127.0.0.1');
  return fake;
}
