import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockText, demoInState, demoRows, launchFromCatalog, openCatalog, statusDm } from '../harness/flows.ts';

describe.each(['postgres', 'pglite'] as const)('browse → launch → ready, on %s', (backend) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ backend, gce: { operationMs: 300, bootMs: 300 }, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  /** Each test launches as its own user; its demo's VMs are found by their demo-id label. */
  const vmsOf = (demoId: string) => t.sim.instances.filter((i) => i.labels?.['demo-id'] === demoId);
  const requestsOn = (method: string, instance: string) => t.sim.requestsFor(method).filter((r) => r.path.includes(`/instances/${instance}/`));

  test('the catalog modal lists only labelled machine images', async () => {
    const mark = t.fake.mark();
    const browse = await openCatalog(t, 'U_FRANK');
    const text = blockText(browse.blocks);
    // Entries show titles (a description's first line) and display names, not the machine images' names.
    for (const title of ['Acme CRM', 'Analytics dashboard', 'Retail storefront', 'Linux dev box']) expect(text).toContain(title);
    expect(text).not.toContain('Plain Debian 12 base image');
    expect(text).not.toContain('Nightly backup of web-1');
    // The catalog query is quick, so the modal was opened with the catalog itself: no "Loading…" step.
    const calls = t.fake.calls.slice(mark);
    expect(calls.filter((c) => c.method === 'views.open').at(-1)?.args).toMatchObject({
      view: { title: { text: 'Demo catalog' }, callback_id: browse.callback_id },
    });
    expect(calls.filter((c) => c.method === 'views.update')).toHaveLength(0);
  });

  test('Launch creates exactly one labelled instance from the machine image, and the DM walks to the links', async () => {
    // Capture the simulator's view of the VM at the moment each status edit lands.
    const seen: Array<{ text: string; vm?: string }> = [];
    const onUpdate = (m: { text: string }) => {
      const vm = t.sim.instances.find((i) => i.labels?.['owner'] === 'u_alice');
      seen.push({ text: m.text, vm: vm?.status });
    };
    t.fake.events.on('message_updated', onUpdate);
    t.fake.events.on('message_posted', onUpdate);
    try {
      await launchFromCatalog(t, 'U_ALICE', 'crm-demo');
      const demo = await demoInState(t, 'U_ALICE', 'running', 'ready');
      expect(vmsOf(demo.id)).toHaveLength(1);
      const vm = vmsOf(demo.id)[0]!;
      expect(vm.name).toBe(demo.instance_name);
      expect(vm.sourceMachineImage).toMatch(/projects\/demo-test-project\/global\/machineImages\/crm-demo$/);
      expect(vm.labels).toEqual({ 'managed-by': 'demo-vm', 'demo-id': demo.id, owner: 'u_alice' });
      expect(t.sim.requestsFor('instances.insert').filter((r) => JSON.stringify(r.body).includes(demo.id))).toHaveLength(1);

      const dm = await eventually(
        () => statusDm(t, demo),
        (m) => m.text.includes('ready'),
      );
      const body = blockText(dm.blocks ?? []);
      expect(body).toContain(
        `https://console.cloud.google.com/compute/instancesDetail/zones/${demo.zone}/instances/${demo.instance_name}?project=demo-test-project`,
      );
      expect(body).toContain(`https://ssh.cloud.google.com/v2/ssh/projects/demo-test-project/zones/${demo.zone}/instances/${demo.instance_name}`);
      expect(body).toContain('/console?port=1');
      expect(body).toContain(demo.external_ip!);
      // The simulated VM's app answers on a port of its own on 127.0.0.1, at the image's declared path.
      const buttons = (dm.blocks ?? []).flatMap((b) => (b['type'] === 'actions' ? (b['elements'] as Array<{ action_id?: string; url?: string }>) : []));
      const appLink = buttons.find((e) => e.action_id === 'demos.open_link')?.url;
      expect(appLink, body).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/crm\/login$/);
      // Progress in order, and "ready" only once GCE said RUNNING.
      const texts = seen.map((s) => s.text);
      const order = ['Queued', 'Creating', 'Booting', 'ready'].map((w) => texts.findIndex((x) => x.includes(w)));
      expect(order.every((i) => i >= 0)).toBe(true);
      expect([...order].sort((a, b) => a - b)).toEqual(order);
      for (const s of seen.filter((x) => x.text.includes('ready'))) expect(s.vm).toBe('RUNNING');
      // The usage interval opened when it became RUNNING.
      const intervals = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute();
      expect(intervals).toHaveLength(1);
      expect(intervals[0]!.ended_at).toBeNull();
      // The app check fetched the VM's page and said so; the link serves that page.
      await eventually(
        () => blockText(statusDm(t, demo).blocks ?? []),
        (b) => b.includes('the app answered its readiness check'),
        10_000,
      );
      expect(t.sim.appRequests.filter((r) => r.vm === `${demo.zone}/${demo.instance_name}`).map((r) => r.path)).toContain('/crm/login');
      const page = await fetch(appLink!);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('Acme CRM');
      // The button's click reaches the app too: the demo was opened (bookings and idle checks read it).
      expect((await t.db.selectFrom('demos').select('opened_at').where('id', '=', demo.id).executeTakeFirstOrThrow()).opened_at).toBeNull();
      const ready = statusDm(t, demo);
      await t.slack.action({ user: 'U_ALICE', on: { channel: ready.channel, messageTs: ready.ts }, actionId: 'demos.open_link' });
      await eventually(
        async () => (await t.db.selectFrom('demos').select('opened_at').where('id', '=', demo.id).executeTakeFirstOrThrow()).opened_at,
        (at) => at instanceof Date,
      );
    } finally {
      t.fake.events.off('message_updated', onUpdate);
      t.fake.events.off('message_posted', onUpdate);
    }
  });

  test('Stop, Start and Delete from the DM work; a non-owner is refused and the VM is untouched', async () => {
    // A demo of this test's own, ready.
    const user = 'U_CAROL';
    await launchFromCatalog(t, user, 'crm-demo');
    const demo = await demoInState(t, user, 'running', 'ready');
    const dm = await eventually(
      () => statusDm(t, demo),
      (m) => m.text.includes('ready'),
    );
    const vm = () => vmsOf(demo.id)[0];

    const refusalsBefore = t.fake.ephemerals('U_BOB').length;
    await t.slack.action({ user: 'U_BOB', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.stop' });
    const refusal = await eventually(() => t.fake.ephemerals('U_BOB').slice(refusalsBefore).at(-1), Boolean);
    expect(refusal!.text).toContain('Only the demo');
    expect(requestsOn('instances.stop', demo.instance_name)).toHaveLength(0);
    expect((await demoRows(t, user)).at(-1)!.state).toBe('running');

    await t.slack.action({ user, on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.stop' });
    await demoInState(t, user, 'stopped');
    expect(vm()!.status).toBe('TERMINATED');
    const closed = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute();
    expect(closed.every((i) => i.ended_at !== null)).toBe(true);

    const stoppedDm = await eventually(
      () => statusDm(t, demo),
      (m) => m.text.includes('stopped'),
    );
    await t.slack.action({ user, on: { channel: stoppedDm.channel, messageTs: stoppedDm.ts }, actionId: 'demos.start' });
    await demoInState(t, user, 'running', 'ready');
    expect(vm()!.status).toBe('RUNNING');

    const runningDm = await eventually(
      () => statusDm(t, demo),
      (m) => m.text.includes('ready'),
    );
    await t.slack.action({ user, on: { channel: runningDm.channel, messageTs: runningDm.ts }, actionId: 'demos.delete' });
    await demoInState(t, user, 'deleted');
    expect(vmsOf(demo.id)).toHaveLength(0);
    const all = await t.db.selectFrom('usage_intervals').selectAll().where('demo_id', '=', demo.id).execute();
    expect(all).toHaveLength(2);
    expect(all.every((i) => i.ended_at !== null)).toBe(true);
  });
});
