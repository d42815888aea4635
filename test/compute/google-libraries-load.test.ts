/**
 * Which modules load the Google client libraries (a fresh process each, since a module graph only
 * grows): the compute adapter does; the export adapters only on first use; the modules around them
 * (views, jobs, steps) never. The web role must be able to import those without ~250 MB of Google code.
 */
import { spawnSync } from 'node:child_process';
import { expect, test } from 'vitest';

/** The Google packages in the require cache after importing `modules` (and running `then`). */
function googleLoadedBy(modules: string[], then = ''): string[] {
  const script = `
    import { createRequire } from 'node:module';
    ${modules.map((m, i) => `import * as m${i} from ${JSON.stringify(`./${m}`)};`).join('\n')}
    ${then}
    const cache = Object.keys(createRequire(import.meta.url).cache);
    const names = cache.map((k) => /node_modules\\/((?:@google-cloud\\/)?[^/]+)/.exec(k)?.[1]).filter((n) => n && /google/.test(n));
    console.log(JSON.stringify([...new Set(names)].sort()));`;
  const res = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 60_000 });
  expect(res.status, res.stderr).toBe(0);
  return JSON.parse(res.stdout.trim().split('\n').at(-1)!) as string[];
}

test('the export adapters, export and demo jobs and their steps load no Google library', () => {
  const modules = [
    'src/exports/cloud-build.ts',
    'src/exports/storage.ts',
    'src/exports/views.ts',
    'src/exports/jobs.ts',
    'src/exports/steps.ts',
    'src/demos/jobs.ts',
    'src/platform/gce-steps.ts',
    'src/platform/compute/gce-errors.ts',
  ];
  // Building the adapters is not using them: still nothing loaded.
  const build = `new m0.GcpCloudBuild({ apiEndpoint: 'http://127.0.0.1:9' }); m1.createExportStorage({ project: 'p', apiEndpoint: 'http://127.0.0.1:9' });`;
  expect(googleLoadedBy(modules, build)).toEqual([]);
}, 60_000);

test('the compute adapter loads @google-cloud/compute and google-gax', () => {
  expect(googleLoadedBy(['src/platform/compute/gce.ts'])).toEqual(expect.arrayContaining(['@google-cloud/compute', 'google-gax']));
}, 60_000);
