import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { blockText, buttons, demoInState, imageIdOf, launchFromCatalog, openCatalog, openViewIds, waitForView } from '../harness/flows.ts';
import type { JsonObject, StoredView } from '../../sim/slack/index.ts';
import { insertImage } from '../accounting/fixtures.ts';

/**
 * The ways into the app besides `/demo`: the global and message shortcuts, the catalog's Launch, the
 * Home tab's empty state, and Cloud Console links that unfurl as a demo's status card. All through the
 * real receiver, against the fake Slack and the GCE simulator.
 */

const CONSOLE = 'console.cloud.google.com';

describe('entry points', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ gce: { operationMs: 100, bootMs: 100 }, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('the global shortcut "Launch a demo" opens the catalog, whose Launch opens the launch modal on top', async () => {
    const sent = await t.slack.globalShortcut({ user: 'U_CAROL', callbackId: 'demo_launch' });
    expect(sent.response.status).toBe(200);
    const browse = await waitForView(t, 'U_CAROL', 'catalog.browse');
    const crm = await imageIdOf(t, 'crm-demo');
    await t.slack.action({ user: 'U_CAROL', on: { viewId: browse.id }, actionId: 'catalog.launch', choice: crm });
    const launch = await waitForView(t, 'U_CAROL', 'demos.launch', new Set([browse.id]));
    expect(blockText(launch.blocks)).toContain('Acme CRM');
    expect(t.fake.views('U_CAROL').map((v) => v.callback_id)).toEqual(['catalog.browse', 'demos.launch']);
  });

  test('the catalog: Launch beside Details on every entry, dividers between entries, labelled filters', async () => {
    const browse = await openCatalog(t, 'U_CAROL');
    const entries = buttons(browse.blocks, 'catalog.open_detail');
    expect(entries.length).toBe(4);
    expect(buttons(browse.blocks, 'catalog.launch').map((b) => b['value'])).toEqual(entries.map((b) => b['value']));
    for (const actionId of ['catalog.filter', 'catalog.sort', 'catalog.jump']) {
      const input = browse.blocks.find((b) => (b['element'] as JsonObject | undefined)?.['action_id'] === actionId);
      expect(input, actionId).toMatchObject({ type: 'input', dispatch_action: true, label: { type: 'plain_text' }, optional: actionId === 'catalog.jump' });
    }
    const first = browse.blocks.findIndex((b) => b['type'] === 'actions' && buttons([b], 'catalog.launch').length);
    const dividers = browse.blocks.slice(first).filter((b) => b['type'] === 'divider');
    expect(dividers).toHaveLength(entries.length - 1);
    // Filtering still works from the labelled dropdown.
    await t.slack.action({ user: 'U_CAROL', on: { viewId: browse.id }, actionId: 'catalog.filter', choice: 'mine' });
    await eventually(
      () => t.fake.view(browse.id)!,
      (v) => blockText(v.blocks).includes("You haven't saved any images yet"),
    );
  });

  test('a large catalog stays within Slack’s 100 blocks a view, a page at a time', async () => {
    for (let i = 0; i < 60; i++) await insertImage(t, `Bulk image ${i} ${'with a long title '.repeat(4)}`);
    try {
      const browse = await openCatalog(t, 'U_GRACE');
      expect(browse.blocks.length).toBeLessThanOrEqual(100);
      expect(buttons(browse.blocks, 'catalog.launch').length).toBe(8);
      expect(buttons(browse.blocks, 'catalog.page.next')).toHaveLength(1);
    } finally {
      await t.db.deleteFrom('images').where('title', 'like', 'Bulk image %').execute();
    }
  });

  test('"Launch this demo" on a message naming Acme CRM opens its launch modal, and the launch goes through', async () => {
    const posted = await t.slack.message({ user: 'U_DAVE', channel: 'C_DEMOS', text: 'Can someone show the customer the Acme CRM demo tomorrow?' });
    const ts = String((posted.request.payload['event'] as JsonObject)['ts']);
    const before = openViewIds(t, 'U_ERIN');
    await t.slack.messageShortcut({ user: 'U_ERIN', callbackId: 'demo_launch_from_message', channel: 'C_DEMOS', messageTs: ts });
    const launch = await waitForView(t, 'U_ERIN', 'demos.launch', before);
    expect(JSON.parse(launch.private_metadata ?? '{}')).toEqual({ imageId: await imageIdOf(t, 'crm-demo') });
    expect(blockText(launch.blocks)).toContain('Acme CRM');
    await t.slack.submit({ user: 'U_ERIN', viewId: launch.id });
    const demo = await demoInState(t, 'U_ERIN', 'running');
    expect(demo.image_id).toBe(await imageIdOf(t, 'crm-demo'));
  });

  test('a message naming no image gets a friendly modal; one naming two offers a choice', async () => {
    const none = await t.slack.message({ user: 'U_DAVE', channel: 'C_DEMOS', text: 'Lunch at noon?' });
    await t.slack.messageShortcut({
      user: 'U_DAVE',
      callbackId: 'demo_launch_from_message',
      channel: 'C_DEMOS',
      messageTs: String((none.request.payload['event'] as JsonObject)['ts']),
    });
    const explained = await eventually(
      () => t.fake.views('U_DAVE').at(-1),
      (v) => blockText(v?.blocks ?? []).includes('No catalog image is named in that message'),
    );
    expect(blockText(explained!.blocks)).not.toMatch(/error id|stack/i);

    const two = await t.slack.message({ user: 'U_DAVE', channel: 'C_DEMOS', text: 'Compare *Acme CRM* with the analytics-dashboard one.' });
    const before = openViewIds(t, 'U_HEIDI');
    await t.slack.messageShortcut({
      user: 'U_HEIDI',
      callbackId: 'demo_launch_from_message',
      channel: 'C_DEMOS',
      messageTs: String((two.request.payload['event'] as JsonObject)['ts']),
    });
    const choice = await waitForView(t, 'U_HEIDI', 'demos.launch_choice', before);
    const offered = buttons(choice.blocks, 'catalog.launch').map((b) => b['value']);
    expect(offered.sort()).toEqual([await imageIdOf(t, 'crm-demo'), await imageIdOf(t, 'analytics-dashboard')].sort());
    await t.slack.action({ user: 'U_HEIDI', on: { viewId: choice.id }, actionId: 'catalog.launch', choice: await imageIdOf(t, 'analytics-dashboard') });
    const launch = await waitForView(t, 'U_HEIDI', 'demos.launch', new Set([...before, choice.id]));
    expect(blockText(launch.blocks)).toContain('Analytics dashboard');
  });

  test('Home with no demo: "Browse the catalog" and the three most launched images, each one click from its launch modal', async () => {
    for (const [name, n] of [
      ['retail-storefront', 7],
      ['linux-dev-box', 5],
      ['analytics-dashboard', 3],
    ] as const) {
      await t.db.updateTable('images').set({ launch_count: n }).where('gce_name', '=', name).execute();
    }
    await t.slack.homeOpened({ user: 'U_GRACE' });
    const home = await eventually(
      () => t.fake.home('U_GRACE'),
      (h) => h !== undefined,
    );
    const launches = buttons(home!.blocks, 'catalog.launch').map((b) => b['value']);
    expect(launches).toEqual([await imageIdOf(t, 'retail-storefront'), await imageIdOf(t, 'linux-dev-box'), await imageIdOf(t, 'analytics-dashboard')]);
    expect(buttons(home!.blocks, 'catalog.open_browse')).toHaveLength(1);
    expect(blockText(home!.blocks)).not.toContain('/demo browse');

    await t.slack.action({ user: 'U_GRACE', on: { viewId: home!.id }, actionId: 'catalog.open_browse', choice: 'home' });
    const browse = await waitForView(t, 'U_GRACE', 'catalog.browse');
    await t.slack.closeView({ user: 'U_GRACE', viewId: browse.id });
    // From the Home tab there is no modal to push onto: Launch opens one.
    await t.slack.action({ user: 'U_GRACE', on: { viewId: home!.id }, actionId: 'catalog.launch', choice: launches[0] as string });
    const launch: StoredView = await waitForView(t, 'U_GRACE', 'demos.launch');
    expect(blockText(launch.blocks)).toContain('Retail storefront');
  });
});

describe('Cloud Console links unfurl as the demo’s status card', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ gce: { operationMs: 100, bootMs: 100 }, env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  const consoleUrl = (d: { zone: string; instance_name: string }) =>
    `https://${CONSOLE}/compute/instancesDetail/zones/${d.zone}/instances/${d.instance_name}?project=demo-test-project`;

  test('for its owner: a read-only status card; for someone else: nothing', async () => {
    await launchFromCatalog(t, 'U_ALICE', 'crm-demo');
    const alices = await demoInState(t, 'U_ALICE', 'running', 'ready');
    await launchFromCatalog(t, 'U_BOB', 'linux-dev-box');
    const bobs = await demoInState(t, 'U_BOB', 'running', 'ready');

    const mark = t.fake.mark();
    const own = await t.slack.linkShared({ user: 'U_ALICE', channel: 'C_DEMOS', text: `Here is mine: <${consoleUrl(alices)}>`, domains: [CONSOLE] });
    const ownEvent = own.request.payload['event'] as JsonObject;
    expect(ownEvent).toMatchObject({ type: 'link_shared', source: 'conversations_history', links: [{ domain: CONSOLE, url: consoleUrl(alices) }] });
    const unfurled = await eventually(
      () => t.fake.message('C_DEMOS', String(ownEvent['message_ts'])),
      (m) => (m?.attachments ?? []).length > 0,
    );
    const card = blockText(unfurled!.attachments![0]!['blocks'] as JsonObject[]);
    expect(card).toContain('Acme CRM');
    expect(card).toContain('Ready');
    expect(card).toContain(alices.instance_name);
    // The whole channel sees an unfurl: no Stop / Delete there.
    expect(card).not.toContain('demos.stop');
    expect(card).not.toContain('demos.delete');

    // Bob shares his own link and Alice's in one message: only his unfurls.
    const mixed = await t.slack.linkShared({
      user: 'U_BOB',
      channel: 'C_DEMOS',
      text: `Mine <${consoleUrl(bobs)}> and Alice's <${consoleUrl(alices)}>`,
      domains: [CONSOLE],
    });
    const mixedTs = String((mixed.request.payload['event'] as JsonObject)['message_ts']);
    const after = await eventually(
      () => t.fake.message('C_DEMOS', mixedTs),
      (m) => (m?.attachments ?? []).length > 0,
    );
    expect(after!.attachments!.map((a) => a['app_unfurl_url'])).toEqual([consoleUrl(bobs)]);
    const calls = t.fake.calls.slice(mark).filter((c) => c.method === 'chat.unfurl');
    expect(calls).toHaveLength(2);
    expect(Object.keys(calls[1]!.args['unfurls'] as JsonObject)).toEqual([consoleUrl(bobs)]);
  }, 60_000);
});
