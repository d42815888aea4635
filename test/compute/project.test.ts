/**
 * GCP_PROJECT may be left out where Application Default Credentials know the project: each source
 * GoogleAuth#getProjectId reads, in a process of its own with a clean environment (no gcloud
 * configuration, no home credentials): GOOGLE_CLOUD_PROJECT, a credentials file, and a fake metadata
 * server (GCE_METADATA_HOST). The web role cannot ask (it never loads Google's libraries).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { loadConfig } from '../../src/config.ts';

const DETECT = fileURLToPath(new URL('../../src/platform/compute/project.ts', import.meta.url));
const FIXTURE = fileURLToPath(new URL('./fixtures/adc-service-account.json', import.meta.url));
const home = mkdtempSync(join(tmpdir(), 'demo-vm-adc-'));
let metadata: Server;
let metadataHost: string;
const asked: string[] = [];

beforeAll(async () => {
  // What a GCE/GKE metadata server answers (and what gcp-metadata checks: the Metadata-Flavor header both ways).
  metadata = createServer((req, res) => {
    asked.push(`${req.url} ${req.headers['metadata-flavor']}`);
    if (req.url === '/computeMetadata/v1/project/project-id' && req.headers['metadata-flavor'] === 'Google') {
      res.writeHead(200, { 'Metadata-Flavor': 'Google', 'content-type': 'application/text' }).end('metadata-project-7');
    } else res.writeHead(404, { 'Metadata-Flavor': 'Google' }).end();
  });
  await new Promise<void>((r) => metadata.listen(0, '127.0.0.1', r));
  metadataHost = `127.0.0.1:${(metadata.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => metadata.close(() => r())));

async function detect(env: Record<string, string>): Promise<string> {
  const clean = { PATH: process.env.PATH!, HOME: home, CLOUDSDK_CONFIG: home, GCE_METADATA_HOST: '127.0.0.1:9', ...env };
  const script = `import { detectProject } from ${JSON.stringify(DETECT)}; console.log(String(await detectProject()));`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', script], { env: clean, timeout: 60_000 });
  return stdout.trim();
}

test('from GOOGLE_CLOUD_PROJECT', async () => {
  expect(await detect({ GOOGLE_CLOUD_PROJECT: 'env-project-1' })).toBe('env-project-1');
});

test("from the credentials file's project_id", async () => {
  expect(await detect({ GOOGLE_APPLICATION_CREDENTIALS: FIXTURE })).toBe('file-project-42');
});

test('from the metadata server', async () => {
  expect(await detect({ GCE_METADATA_HOST: metadataHost })).toBe('metadata-project-7');
  expect(asked).toContain('/computeMetadata/v1/project/project-id Google');
});

test('none of them: null, and start-up says to set GCP_PROJECT', async () => {
  expect(await detect({})).toBe('null');
});

test('which processes may leave GCP_PROJECT out', () => {
  const slack = { SLACK_BOT_TOKEN: 'xoxb-1-2', SLACK_SIGNING_SECRET: 'abcdefgh12345', DATABASE_URL: 'postgres://db/demo' };
  expect(loadConfig({ ...slack, NODE_ENV: 'production' }).gce).toMatchObject({ mode: 'gce', projectFromAdc: true, project: '' });
  expect(loadConfig({ ...slack, ROLE: 'worker' }).gce).toMatchObject({ mode: 'gce', projectFromAdc: true });
  expect(() => loadConfig({ ...slack, ROLE: 'web' })).toThrow(/GCP_PROJECT: required with ROLE=web \(it never loads Google libraries/);
  // A laptop without GCP_PROJECT stays on the simulator, whatever its ADC say.
  expect(loadConfig({}).gce).toMatchObject({ mode: 'simulator', projectFromAdc: false });
});
