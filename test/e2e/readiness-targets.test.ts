/**
 * The readiness probe fetches an address an image's labels half choose (port and path): it must never
 * be turned on the app's own host, the metadata server or anything else local (#22 finding 11).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { syncCatalog } from '../../src/catalog/service.ts';
import { gceAppReach } from '../../src/platform/app-reach.ts';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockText, demoInState, launchFromCatalog, statusDm } from '../harness/flows.ts';

describe('GCE: the probe refuses loopback, link-local and the app’s own addresses', () => {
  const reach = gceAppReach(['10.8.0.5', 'fd00::5']);
  test.each([
    '127.0.0.1',
    '127.0.1.5',
    '0.0.0.0',
    '0.1.2.3',
    '169.254.169.254', // the metadata server
    '169.254.1.1',
    '::1',
    '[::1]',
    '::',
    'fe80::1',
    '::ffff:127.0.0.1',
    '::ffff:169.254.169.254',
    '10.8.0.5', // this machine's own
    'fd00::5',
    '224.0.0.1',
    'localhost', // names could resolve anywhere: only IP literals
    'metadata.google.internal',
  ])('refuses %s', (host) => expect(reach.mayProbe({ host, port: 8080 })).toBe(false));

  test.each(['34.118.2.7', '10.128.0.9', '2600:1900:4000::1'])('allows a VM address such as %s', (host) =>
    expect(reach.mayProbe({ host, port: 8080 })).toBe(true),
  );

  test('the endpoint is the VM’s external IP on the declared port; none without one', () => {
    expect(reach.endpoint({ zone: 'z', instanceName: 'n', externalIp: '34.118.2.7' }, 8080)).toEqual({ host: '34.118.2.7', port: 8080 });
    expect(reach.endpoint({ zone: 'z', instanceName: 'n', externalIp: null }, 8080)).toBeNull();
  });
});

describe('the probe against the simulator', () => {
  let t: TestApp;
  let guarded: TestApp;
  beforeAll(async () => {
    const env = { READINESS_TIMEOUT_SECONDS: '3' };
    [t, guarded] = await Promise.all([startTestApp({ env }), startTestApp({ env, appReach: 'gce' })]);
  }, 180_000); // two apps at once
  afterAll(async () => Promise.all([t?.close(), guarded?.close()]));

  test('with GCE’s rules a loopback VM address is never fetched, and the DM says the app did not answer', async () => {
    // A real listener on 127.0.0.1 at the port the image declares: what the probe would reach if it were allowed.
    const received: string[] = [];
    const server = createServer((req, res) => {
      received.push(req.url ?? '');
      res.end('ok');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      guarded.sim.addMachineImage({
        name: 'loopback-app',
        description: 'Loopback app\nDeclares a port something on 127.0.0.1 answers.',
        labels: { 'demo-vm-catalog': 'true', 'app-port': String(port), 'app-path': '-health' },
      });
      await syncCatalog(guarded.app.worker!);
      await launchFromCatalog(guarded, 'U_ALICE', 'loopback-app');
      const demo = await demoInState(guarded, 'U_ALICE', 'running', 'ready');
      expect(demo.external_ip).toBe('127.0.0.1');
      await eventually(
        () => blockText(statusDm(guarded, demo).blocks ?? []),
        (b) => b.includes('did not answer its readiness check'),
        15_000,
      );
      expect(received).toEqual([]);
      expect(guarded.sim.appRequests).toEqual([]);
      expect(guarded.logs.join('')).toContain('readiness probe refused');
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  test('in local mode only the ports the simulator gave running VMs: not the app’s own, not a stopped VM’s', async () => {
    await launchFromCatalog(t, 'U_BOB', 'crm-demo');
    const demo = await demoInState(t, 'U_BOB', 'running', 'ready');
    const vm = { zone: demo.zone, instanceName: demo.instance_name, externalIp: demo.external_ip };
    const reach = t.app.ctx.appReach;
    const at = reach.endpoint(vm, 8080)!;
    expect(at).toMatchObject({ host: '127.0.0.1', scheme: 'http' });
    expect(reach.mayProbe(at)).toBe(true);
    // Another port than the image declares is not this VM's app; the app's own port is no target.
    expect(reach.endpoint(vm, 9999)).toBeNull();
    expect(reach.mayProbe({ host: '127.0.0.1', port: Number(new URL(t.app.url!).port) })).toBe(false);
    expect(reach.mayProbe({ host: 'localhost', port: at.port })).toBe(false);
    await eventually(
      () => blockText(statusDm(t, demo).blocks ?? []),
      (b) => b.includes('the app answered its readiness check'),
      15_000,
    );

    // Stopped: the page stops answering and is no longer a target.
    const dm = statusDm(t, demo);
    await t.slack.action({ user: 'U_BOB', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.stop' });
    await demoInState(t, 'U_BOB', 'stopped', 'idle');
    expect(reach.mayProbe(at)).toBe(false);
    expect(reach.endpoint(vm, 8080)).toBeNull();
    await expect(fetch(`http://127.0.0.1:${at.port}/crm/login`)).rejects.toThrow();
  });
});
