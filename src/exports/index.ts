import type { Capability } from '../capabilities.ts';
import { GcpCloudBuild } from './cloud-build.ts';
import { registerExports } from './slack.ts';
import { createExportStorage } from './storage.ts';

/** Image export to Cloud Storage (issue 8). Cloud Build and Storage clients are made on first use. */
export const exportsCapability: Capability = {
  name: 'exports',
  register: (r) =>
    registerExports(r, {
      build: new GcpCloudBuild({ apiEndpoint: r.ctx.config.exports.cloudBuildEndpoint }),
      storage: createExportStorage({ project: r.ctx.config.gce.project, apiEndpoint: r.ctx.config.exports.storageEndpoint }),
    }),
};
