import { describe, expect, test } from 'vitest';
import { ConfigError, describeConfig, loadConfig } from '../src/config.ts';
import { ScaledClock } from '../src/platform/clock.ts';

function problems(env: Record<string, string>): string[] {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('configuration from the environment', () => {
  test('no environment at all: local workspace, embedded database, simulator, loopback only', () => {
    const c = loadConfig({});
    expect(c.slack.mode).toBe('local');
    expect(c.database).toEqual({ kind: 'pglite', dataDir: './data' });
    expect(c.gce.mode).toBe('simulator');
    expect(c.bindAddress).toBe('127.0.0.1');
    expect(c.port).toBe(3000);
  });

  test('ROLE: all by default; web or worker alone need PostgreSQL, Slack and a GCP project (they share only the database)', () => {
    expect(loadConfig({}).role).toBe('all');
    const full = { SLACK_BOT_TOKEN: 'xoxb-123-456', SLACK_SIGNING_SECRET: 'abcdefgh12345', DATABASE_URL: 'postgres://db/demo', GCP_PROJECT: 'my-project' };
    expect(loadConfig({ ...full, ROLE: 'web' }).role).toBe('web');
    expect(loadConfig({ ...full, ROLE: 'worker' }).role).toBe('worker');
    expect(problems({ ROLE: 'web' }).map((p) => p.split(':')[0])).toEqual(
      expect.arrayContaining(['DATABASE_URL', 'SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET', 'GCP_PROJECT']),
    );
    // The worker may ask Application Default Credentials for the project (test/compute/project.test.ts).
    expect(problems({ ROLE: 'worker' }).map((p) => p.split(':')[0])).toEqual(['DATABASE_URL', 'SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET']);
    expect(problems({ ...full, ROLE: 'both' })).toEqual(['ROLE: must be web, worker or all']);
  });

  test('a bot token without a signing secret names the missing variable', () => {
    expect(problems({ SLACK_BOT_TOKEN: 'xoxb-123-456' })).toEqual([expect.stringMatching(/^SLACK_SIGNING_SECRET: missing/)]);
  });

  test('every bad variable is listed at once', () => {
    const p = problems({
      SLACK_SIGNING_SECRET: 'abcdefgh12345',
      PORT: 'eighty',
      ORG_TIME_ZONE: 'Mars/Olympus',
      DATABASE_URL: 'mysql://x',
      ADMIN_USER_IDS: 'alice',
    });
    expect(p.map((x) => x.split(':')[0])).toEqual(expect.arrayContaining(['SLACK_BOT_TOKEN', 'PORT', 'ORG_TIME_ZONE', 'DATABASE_URL', 'ADMIN_USER_IDS']));
  });

  test('a number that is not a number is an error, never NaN', () => {
    expect(problems({ DEMO_TTL_HOURS: 'ten' })).toEqual([expect.stringMatching(/^DEMO_TTL_HOURS/)]);
  });

  test('production refuses to fall back to fakes', () => {
    const p = problems({ NODE_ENV: 'production' });
    expect(p.join('\n')).toMatch(/SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: required/);
    expect(p.join('\n')).toMatch(/DATABASE_URL: required/);
    // No GCP_PROJECT: the real project Application Default Credentials name, never the simulator.
    expect(p.join('\n')).not.toMatch(/GCP_PROJECT/);
  });

  test('modes follow what is set', () => {
    const base = { SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 'secret-123456' };
    expect(loadConfig(base).slack.mode).toBe('http');
    expect(loadConfig(base).bindAddress).toBe('0.0.0.0');
    expect(loadConfig({ ...base, SLACK_APP_TOKEN: 'xapp-1' }).slack.mode).toBe('socket');
    expect(loadConfig({ GCP_PROJECT: 'my-project-1' }).gce.mode).toBe('gce');
    expect(loadConfig({ GCP_PROJECT: 'my-project-1', GCE_API_ENDPOINT: 'http://127.0.0.1:9000' }).gce.mode).toBe('emulator');
    expect(problems({ GCE_API_ENDPOINT: 'http://127.0.0.1:9000' })).toEqual([expect.stringMatching(/^GCP_PROJECT: missing/)]);
  });

  test('zone and machine type defaults must be in their allow-lists', () => {
    expect(problems({ GCE_ALLOWED_ZONES: 'europe-west1-b', GCP_ZONE: 'us-central1-a' })).toEqual([expect.stringMatching(/^GCP_ZONE/)]);
    expect(problems({ GCE_MACHINE_TYPES: 'e2-small', GCE_DEFAULT_MACHINE_TYPE: 'n2-standard-2' })).toEqual([
      expect.stringMatching(/^GCE_DEFAULT_MACHINE_TYPE/),
    ]);
  });

  test('the description safe to log has no secrets', () => {
    const c = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-secret-token', SLACK_SIGNING_SECRET: 'very-secret-signing', DATABASE_URL: 'postgres://u:hunter2@db/x' });
    const text = JSON.stringify(describeConfig(c));
    expect(text).not.toContain('xoxb-secret-token');
    expect(text).not.toContain('very-secret-signing');
    expect(text).not.toContain('hunter2');
  });
});

describe('launch placement variables (issue #21)', () => {
  test('subnets per region, external IP, network tags and the demo service account', () => {
    const c = loadConfig({
      GCE_SUBNETS: 'europe-west1=projects/p-1/regions/europe-west1/subnetworks/demo, us-east1=projects/host-vpc/regions/us-east1/subnetworks/shared',
      GCE_EXTERNAL_IP: 'none',
      GCE_NETWORK_TAGS: 'demo-vm,allow-iap',
      DEMO_SERVICE_ACCOUNT: 'demo-vms@p-1.iam.gserviceaccount.com',
    });
    expect(c.gce).toMatchObject({
      subnets: { 'europe-west1': 'projects/p-1/regions/europe-west1/subnetworks/demo', 'us-east1': 'projects/host-vpc/regions/us-east1/subnetworks/shared' },
      externalIp: 'none',
      networkTags: ['demo-vm', 'allow-iap'],
      serviceAccount: { email: 'demo-vms@p-1.iam.gserviceaccount.com', scopes: ['https://www.googleapis.com/auth/cloud-platform'] },
    });
    expect(loadConfig({}).gce).toMatchObject({ subnets: {}, externalIp: 'ephemeral', networkTags: [], serviceAccount: null });
  });

  test('a subnet of another region, a bad tag, scopes without an account are each named', () => {
    expect(problems({ GCE_SUBNETS: 'europe-west1=projects/p/regions/us-central1/subnetworks/x' })).toEqual([
      'GCE_SUBNETS: europe-west1: the subnetwork is in us-central1; a VM can only use a subnet of its own region',
    ]);
    expect(problems({ GCE_SUBNETS: 'europe-west1' })[0]).toMatch(/^GCE_SUBNETS: each must be region=projects/);
    expect(problems({ GCE_NETWORK_TAGS: 'Web Server' })[0]).toMatch(/^GCE_NETWORK_TAGS: each must be a network tag/);
    expect(problems({ GCE_EXTERNAL_IP: 'static' })).toEqual(['GCE_EXTERNAL_IP: must be ephemeral or none']);
    expect(problems({ DEMO_SERVICE_ACCOUNT_SCOPES: 'https://www.googleapis.com/auth/devstorage.read_only' })[0]).toMatch(/^DEMO_SERVICE_ACCOUNT: missing/);
  });
});

describe('compressed time (benchmarks on the simulator)', () => {
  test('DEMO_VM_TIME_SCALE runs against a simulated GCE only, from one origin', () => {
    const c = loadConfig({ DEMO_VM_TIME_SCALE: '60', DEMO_VM_TIME_ORIGIN: '2026-03-02T09:00:00Z' });
    expect(c.time).toEqual({ scale: 60, origin: new Date('2026-03-02T09:00:00Z') });
    expect(loadConfig({ GCP_PROJECT: 'demo-project', GCE_API_ENDPOINT: 'http://127.0.0.1:9000', DEMO_VM_TIME_SCALE: '60' }).time.scale).toBe(60);
    expect(problems({ GCP_PROJECT: 'demo-project', DEMO_VM_TIME_SCALE: '60' })).toEqual([
      expect.stringContaining('DEMO_VM_TIME_SCALE: compressed time is for a simulated GCE only'),
    ]);
    expect(problems({ DEMO_VM_TIME_SCALE: '0.5' })).toEqual([expect.stringContaining('DEMO_VM_TIME_SCALE')]);
    expect(loadConfig({}).time.scale).toBe(1);
  });

  test('a ScaledClock runs `scale` times faster from its origin', async () => {
    const origin = new Date();
    const clock = new ScaledClock(60, origin);
    const before = performance.now();
    await clock.sleep(600); // 10 ms of real time
    const realMs = performance.now() - before;
    // At least as far on as the real time passed, times 60 (never less: only an upper bound could flake).
    expect(clock.now().getTime() - origin.getTime()).toBeGreaterThanOrEqual(Math.floor(realMs) * 60 - 60);
    expect(clock.rate).toBe(60);
  });
});
