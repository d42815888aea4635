import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { syncCatalog } from '../../src/catalog/service.ts';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { buttons } from '../harness/flows.ts';
import { catalogImageId, demoRow, ephemeralSaying, launchDemo, newView, openViews, text } from '../lifecycle/helpers.ts';

/** Issue 19: arguments that forgive (one resolver), typos answered briefly, help that leads, /demo extend. */

type Ephemeral = Awaited<ReturnType<typeof ephemeralSaying>>;

describe('forgiving arguments', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
  });
  afterAll(async () => t?.close());

  test('`/demo launch crm` opens the launch modal for the one image whose name or title says crm', async () => {
    const views = openViews(t, 'U_ALICE');
    await t.slack.command({ user: 'U_ALICE', text: 'launch crm' });
    const modal = await newView(t, 'U_ALICE', 'demos.launch', views);
    expect(JSON.parse(modal.private_metadata ?? '{}')).toEqual({ imageId: await catalogImageId(t, 'crm-demo') });
    expect(text(modal.blocks)).toContain('Acme CRM');
  });

  test('a name matching nothing: an ephemeral saying what was understood, with Browse, and no modal', async () => {
    const mark = t.fake.mark();
    await t.slack.command({ user: 'U_BOB', text: 'launch nonexistent' });
    const answer = await ephemeralSaying(t, 'U_BOB', 'nonexistent');
    expect(answer.text).toContain('I understood image `nonexistent`');
    expect(buttons(answer.blocks).map((b) => [b.text.text, b.value])).toEqual([['Browse', 'browse']]);
    expect(t.fake.calls.slice(mark).filter((c) => c.method.startsWith('views.'))).toEqual([]);
    // Browse runs `/demo browse`: the catalog.
    const views = openViews(t, 'U_BOB');
    await t.slack.action({
      user: 'U_BOB',
      on: { channel: answer.channel, ephemeralTs: answer.ts },
      actionId: buttons(answer.blocks)[0]!.action_id,
      choice: 'browse',
    });
    await newView(t, 'U_BOB', 'catalog.browse', views);
  });

  test('`@alice` and `#random` typed as text (no mention made by the client) are read as the one known user of that handle and the channel of that name', async () => {
    await t.db.insertInto('user_names').values({ user_id: 'U_ALICE', name: 'alice', display_name: 'Alice Adams', fetched_at: new Date() }).execute();
    await t.slack.command({ user: 'U_ADMIN', text: 'admin budget @alice running 3' });
    expect((await ephemeralSaying(t, 'U_ADMIN', 'demos running')).text).toContain('<@U_ALICE>: ');
    expect(await t.db.selectFrom('budgets').select('max_running').where('user_id', '=', 'U_ALICE').execute()).toEqual([{ max_running: 3 }]);
    // A public channel typed by name is found by it, as if picked from the autocomplete.
    await t.slack.command({ user: 'U_ADMIN', text: 'digest subscribe #random daily 09:00' });
    expect((await ephemeralSaying(t, 'U_ADMIN', 'Subscribed')).text).toContain('<#C_RANDOM>');
    expect(await t.db.selectFrom('digest_subscriptions').select('channel_id').execute()).toEqual([{ channel_id: 'C_RANDOM' }]);
    // A handle nobody known has stays as typed, and the answer says how to mention.
    await t.slack.command({ user: 'U_ADMIN', text: 'admin budget @nobody running 3' });
    expect((await ephemeralSaying(t, 'U_ADMIN', 'as a mention')).text).toContain('Say whose budget');
  });

  describe('with a second CRM in the catalog', () => {
    beforeAll(async () => {
      t.sim.addMachineImage({ name: 'contoso-crm', description: 'Contoso CRM — EMEA edition\nThe EMEA pipeline.', labels: { 'demo-vm-catalog': 'true' } });
      await syncCatalog(t.app.worker!);
    });

    test('a word matching two images: Did you mean, one button each (plus Browse); a button launches the one chosen', async () => {
      await t.slack.command({ user: 'U_CAROL', text: 'launch CRM' });
      const answer = await ephemeralSaying(t, 'U_CAROL', 'Did you mean');
      const [contoso, acme] = [await catalogImageId(t, 'contoso-crm'), await catalogImageId(t, 'crm-demo')];
      expect(buttons(answer.blocks).map((b) => b.value)).toEqual([`launch ${contoso}`, `launch ${acme}`, 'browse']);
      expect(text(answer.blocks)).toContain('Contoso CRM — EMEA edition');
      const views = openViews(t, 'U_CAROL');
      await t.slack.action({
        user: 'U_CAROL',
        on: { channel: answer.channel, ephemeralTs: answer.ts },
        actionId: buttons(answer.blocks)[0]!.action_id,
        choice: `launch ${contoso}`,
      });
      const modal = await newView(t, 'U_CAROL', 'demos.launch', views);
      expect(JSON.parse(modal.private_metadata ?? '{}')).toEqual({ imageId: contoso });
    });

    test('`/demo export <title words> qcow2`: the format is the last word, the title needs no quotes', async () => {
      // Catalog images are exported by admins.
      await t.slack.command({ user: 'U_ADMIN', text: 'export Contoso CRM — EMEA edition qcow2' });
      const answer = await ephemeralSaying(t, 'U_ADMIN', 'Exporting');
      expect(answer.text).toContain('*Contoso CRM — EMEA edition* as');
      const exp = await t.db.selectFrom('exports').selectAll().where('requester_id', '=', 'U_ADMIN').executeTakeFirstOrThrow();
      expect(exp).toMatchObject({ format: 'qcow2', image_id: await catalogImageId(t, 'contoso-crm') });
    });
  });
});

describe('forgiving arguments for saved images: resume, share, unshare, transfer', () => {
  let t: TestApp;
  const ids: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1' } });
    // One second apart, oldest first: lists show the newest first.
    let created = Date.now() - 60_000;
    for (const [key, title, visibility, status] of [
      ['v1', 'Acme retail v1', 'private', 'ready'],
      ['v2', 'Acme retail v2', 'private', 'ready'],
      ['pipe', 'Pipeline review', 'shared', 'ready'],
      ['draft', 'Draft of Friday', 'private', 'creating'],
    ] as const) {
      const gceName = `img-args-${key}`;
      t.sim.addMachineImage({ name: gceName });
      const row = await t.db
        .insertInto('images')
        .values({
          project: t.config.gce.project,
          gce_name: gceName,
          title,
          description: '',
          owner_id: 'U_DAVE',
          visibility,
          status,
          origin: 'saved',
          created_at: new Date((created += 1000)),
          updated_at: new Date(),
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      ids[key] = row.id;
    }
  });
  afterAll(async () => t?.close());

  const click = async (user: string, answer: Ephemeral, value: string) => {
    const button = buttons(answer.blocks).find((b) => b.value === value)!;
    await t.slack.action({ user, on: { channel: answer.channel, ephemeralTs: answer.ts }, actionId: button.action_id, choice: value });
  };

  test('`/demo resume acme`: both saved images offered; the button resumes the one chosen', async () => {
    await t.slack.command({ user: 'U_DAVE', text: 'resume acme' });
    const answer = await ephemeralSaying(t, 'U_DAVE', 'Did you mean');
    expect(buttons(answer.blocks).map((b) => b.value)).toEqual([`resume ${ids['v2']}`, `resume ${ids['v1']}`, 'images']);
    await click('U_DAVE', answer, `resume ${ids['v1']}`);
    expect((await ephemeralSaying(t, 'U_DAVE', 'Resuming')).text).toContain('*Acme retail v1*');
    expect(await t.db.selectFrom('demos').select('image_id').where('owner_id', '=', 'U_DAVE').execute()).toEqual([{ image_id: ids['v1'] }]);
    // One still being saved is found, and the answer says so.
    await t.slack.command({ user: 'U_DAVE', text: 'resume friday' });
    expect((await ephemeralSaying(t, 'U_DAVE', 'Draft of Friday')).text).toContain('is still being saved');
  });

  test('`/demo share retail` offers the two private ones; `/demo unshare` finds the shared one by a word and says when nothing matches', async () => {
    await t.slack.command({ user: 'U_DAVE', text: 'share retail' });
    const share = await ephemeralSaying(t, 'U_DAVE', 'Did you mean one of these for `retail`');
    expect(buttons(share.blocks).map((b) => b.value)).toEqual([`share ${ids['v2']}`, `share ${ids['v1']}`, 'images']);

    await t.slack.command({ user: 'U_DAVE', text: 'unshare retail' });
    const none = await ephemeralSaying(t, 'U_DAVE', 'I understood shared image `retail`');
    expect(buttons(none.blocks).map((b) => b.value)).toEqual(['images']);
    await t.slack.command({ user: 'U_DAVE', text: 'unshare pipeline' });
    await ephemeralSaying(t, 'U_DAVE', 'is private again');
    expect(await t.db.selectFrom('images').select('visibility').where('id', '=', ids['pipe']!).executeTakeFirst()).toEqual({ visibility: 'private' });
  });

  test('`/demo transfer acme retail @erin` asks which; the button hands that one over', async () => {
    await t.slack.command({ user: 'U_DAVE', text: 'transfer acme retail <@U_ERIN|erin>' });
    const answer = await ephemeralSaying(t, 'U_DAVE', 'Did you mean one of these for `acme retail`');
    expect(buttons(answer.blocks).map((b) => b.value)).toContain(`transfer ${ids['v2']} <@U_ERIN>`);
    await click('U_DAVE', answer, `transfer ${ids['v2']} <@U_ERIN>`);
    await ephemeralSaying(t, 'U_DAVE', 'now belongs to <@U_ERIN>');
    expect(await t.db.selectFrom('images').select('owner_id').where('id', '=', ids['v2']!).executeTakeFirst()).toEqual({ owner_id: 'U_ERIN' });
  });
});

describe('typos, help and /demo extend', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1', DEMO_TTL_HOURS: '8', DEMO_MAX_TTL_HOURS: '12' } });
  });
  afterAll(async () => t?.close());

  test('`/demo frobnicate`: under 600 characters, the likeliest commands and a Help button', async () => {
    const sent = await t.slack.command({ user: 'U_ALICE', text: 'frobnicate' });
    const shown = JSON.stringify(sent.body);
    expect(shown.length).toBeLessThan(600);
    const answer = t.fake.ephemerals('U_ALICE').at(-1)!;
    expect(answer.text).toContain("I don't know `/demo frobnicate`");
    expect(answer.text).toMatch(/`\/demo launch`/);
    expect(answer.text).toMatch(/`\/demo list`/);
    expect(buttons(answer.blocks).map((b) => [b.text.text, b.value])).toEqual([['Help', 'help']]);
    // A swap of two letters is one typo.
    await t.slack.command({ user: 'U_ALICE', text: 'lsit' });
    expect(t.fake.ephemerals('U_ALICE').at(-1)!.text).toContain('Did you mean `/demo list`?');
  });

  test('`/demo help` leads with five commands and a button for the rest; admins also get Admin', async () => {
    await t.slack.command({ user: 'U_BOB', text: 'help' });
    const help = t.fake.ephemerals('U_BOB').at(-1)! as Ephemeral;
    expect(help.text!.match(/`\/demo /g)).toHaveLength(5);
    expect(buttons(help.blocks).map((b) => b.text.text)).toEqual(['All commands']);
    await t.slack.action({
      user: 'U_BOB',
      on: { channel: help.channel, ephemeralTs: help.ts },
      actionId: buttons(help.blocks)[0]!.action_id,
      choice: 'help all',
    });
    const all = await ephemeralSaying(t, 'U_BOB', 'All /demo commands');
    expect(all.text).toContain('/demo export');
    expect(all.text).not.toContain('/demo admin');

    await t.slack.command({ user: 'U_ADMIN', text: 'help' });
    const admin = t.fake.ephemerals('U_ADMIN').at(-1)! as Ephemeral;
    expect(buttons(admin.blocks).map((b) => b.text.text)).toEqual(['All commands', 'Admin']);
  });

  test('`/demo extend [hours]` extends the only demo within the maximum and says until when; with two, it asks which', async () => {
    const first = await launchDemo(t, 'U_DAVE');
    await t.slack.command({ user: 'U_DAVE', text: 'extend 3' });
    const answer = await ephemeralSaying(t, 'U_DAVE', 'Extended');
    expect(answer.text).toContain(`Extended \`${first.display_name}\` to <!date^`);
    expect(answer.text).toMatch(/ UTC>/); // the fallback names its time zone
    const extended = await demoRow(t, first.id);
    expect(extended.expires_at.getTime() - first.expires_at.getTime()).toBe(3 * 3600_000);

    // Beyond the maximum (12 h from launch) it stops at the maximum.
    await t.slack.command({ user: 'U_DAVE', text: `extend ${first.display_name.slice(0, 12)} 8` });
    await eventually(
      () => demoRow(t, first.id),
      (d) => d.expires_at.getTime() === first.created_at.getTime() + 12 * 3600_000,
    );

    const second = await launchDemo(t, 'U_DAVE');
    await t.slack.command({ user: 'U_DAVE', text: 'extend' });
    const which = await ephemeralSaying(t, 'U_DAVE', 'Which demo?');
    expect(buttons(which.blocks).map((b) => b.value)).toEqual([`extend ${second.id}`, `extend ${first.id}`, 'list']);
    await t.slack.action({
      user: 'U_DAVE',
      on: { channel: which.channel, ephemeralTs: which.ts },
      actionId: buttons(which.blocks)[0]!.action_id,
      choice: `extend ${second.id}`,
    });
    await eventually(
      () => demoRow(t, second.id),
      (d) => d.expires_at.getTime() === second.expires_at.getTime() + t.config.demo.extendHours * 3600_000,
    );
  });
});
