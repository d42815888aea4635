import type { Capability } from '../capability.ts';
import { ExportJobs, ExportQueues } from './ids.ts';
import { exportJob, type ExportJobData } from './jobs.ts';
import { registerExports } from './slack.ts';
import { fileRequestTap } from '../platform/request-log.ts';

/** Image export to Cloud Storage. */
export const exportsCapability: Capability = {
  name: 'exports',
  queues: ExportQueues,
  web: registerExports,
  async worker({ ctx }) {
    // Google's Cloud Build and Storage libraries: loaded by the worker role only, when it starts.
    const [{ GcpCloudBuild }, { createExportStorage }] = await Promise.all([import('./cloud-build.ts'), import('./storage.ts')]);
    const deps = {
      build: new GcpCloudBuild({
        apiEndpoint: ctx.config.exports.cloudBuildEndpoint,
        onRequest: ctx.config.contractLog ? fileRequestTap(ctx.config.contractLog) : undefined,
      }),
      storage: createExportStorage({ project: ctx.config.gce.project, apiEndpoint: ctx.config.exports.storageEndpoint }),
    };
    await ctx.jobs.work<ExportJobData>(ExportJobs.run, (data, job) => exportJob(ctx, deps, data, job));
  },
};
