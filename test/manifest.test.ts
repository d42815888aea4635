import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { WebClient, type AppsManifestCreateArguments } from '@slack/web-api';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { z } from 'zod';
import { eventually, startTestApp, type TestApp } from './harness/app.ts';
import { demoInState, imageIdOf, launchFromCatalog, openCatalog, statusDm } from './harness/flows.ts';
import { commentInModal } from './sharing/helpers.ts';
import { RESPONSE_URL_METHOD, UPLOAD_METHOD } from '../sim/slack/index.ts';
import { consoleLinks } from '../src/platform/compute/port.ts';

/**
 * manifests/slack-app.yml against the code: the scopes are exactly those the Web API methods we call
 * need, the events exactly those we handle. The scan reads src/ (so it follows new capabilities), and
 * a real flow checks that what the app really called is known here (so the scan cannot miss quietly).
 */

type Manifest = AppsManifestCreateArguments['manifest'];
type BotScope = NonNullable<NonNullable<NonNullable<Manifest['oauth_config']>['scopes']>['bot']>[number];
type BotEvent = NonNullable<NonNullable<NonNullable<Manifest['settings']>['event_subscriptions']>['bot_events']>[number];

/**
 * Bot scopes each Web API method needs, as this app uses it (https://docs.slack.dev/reference/methods):
 * conversations.* read public channels (digests, comment threads), the bot's DMs and the approvals
 * channel, which may be private (groups:history). A method missing here fails the tests below.
 */
const METHOD_SCOPES: Record<string, BotScope[]> = {
  'auth.test': [],
  'chat.postMessage': ['chat:write'],
  'chat.postEphemeral': ['chat:write'],
  'chat.update': ['chat:write'],
  'chat.delete': ['chat:write'],
  'chat.getPermalink': [],
  'chat.unfurl': ['links:write'],
  'conversations.open': ['im:write'],
  'conversations.history': ['im:history', 'channels:history', 'groups:history'], // status DMs; digests in channels; share requests in a private approvals channel
  'conversations.replies': ['channels:history'], // comment and digest threads
  'conversations.info': ['channels:read'],
  'conversations.list': ['channels:read'], // `#demo-vm` typed as text, looked up by name
  'conversations.join': ['channels:join'],
  'users.info': ['users:read'],
  'usergroups.users.list': ['usergroups:read'],
  'files.getUploadURLExternal': ['files:write'],
  'files.completeUploadExternal': ['files:write'],
  'views.open': [],
  'views.update': [],
  'views.push': [],
  'views.publish': [],
};

/**
 * Scopes some parameters need on top of their method's: chat.postMessage's username and icon under
 * another name and picture need chat:write.customize (https://docs.slack.dev/reference/methods/chat.postMessage).
 */
const PARAM_SCOPES: Record<string, BotScope[]> = {
  username: ['chat:write.customize'],
  icon_url: ['chat:write.customize'],
  icon_emoji: ['chat:write.customize'],
};

/** Scopes an event subscription needs (https://docs.slack.dev/reference/events). */
const EVENT_SCOPES: Partial<Record<BotEvent, BotScope[]>> = {
  app_home_opened: [],
  app_mention: ['app_mentions:read'],
  link_shared: ['links:read'],
  'message.channels': ['channels:history'],
  'message.groups': ['groups:history'],
  'message.im': ['im:history'],
  'message.mpim': ['mpim:history'],
};
/** What Bolt's `message` listener can be subscribed to; which ones is the manifest's choice. */
const MESSAGE_EVENTS = ['message.channels', 'message.groups', 'message.im', 'message.mpim'];
/** Not Web API methods: the fake records response_url posts and file upload PUTs under these names. */
const NOT_METHODS = new Set([RESPONSE_URL_METHOD, UPLOAD_METHOD]);

// ---- the static scan of src/

function sourceFiles(dir = 'src'): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

// WebClient binds every Web API method at construction: a dotted name is a method iff it resolves to one.
const client = new WebClient('xoxb-manifest-scan');
function isWebApiMethod(name: string): boolean {
  const fn = name.split('.').reduce<unknown>((obj, key) => (obj as Record<string, unknown> | undefined)?.[key], client);
  return typeof fn === 'function' && fn.name === 'bound apiCall';
}

interface Scan {
  methods: Map<string, string[]>; // method → files calling it
  params: Set<string>; // parameters of PARAM_SCOPES written as object keys
  events: Set<string>;
  commands: Set<string>;
  /** callback_ids of the shortcuts the code listens to. */
  shortcuts: Set<string>;
  interactive: boolean;
  options: boolean;
}

/** `key: 'value'` pairs of the id objects in the code (CatalogIds.launchShortcut → demo_launch), by `Object.key`. */
function idConstants(files: string[]): Map<string, string> {
  const ids = new Map<string, string>();
  for (const file of files) {
    for (const obj of readFileSync(file, 'utf8').matchAll(/const (\w+) = \{([^}]*)\}/g)) {
      for (const pair of obj[2]!.matchAll(/(\w+): '([^']+)'/g)) ids.set(`${obj[1]}.${pair[1]}`, pair[2]!);
    }
  }
  return ids;
}

function scan(files = sourceFiles()): Scan {
  const s: Scan = { methods: new Map(), params: new Set(), events: new Set(), commands: new Set(), shortcuts: new Set(), interactive: false, options: false };
  const paramKey = new RegExp(`(?<![\\w.'"])(${Object.keys(PARAM_SCOPES).join('|')})\\s*[:,}]`, 'g');
  const ids = idConstants(files);
  const add = (method: string, file: string) => s.methods.set(method, [...(s.methods.get(method) ?? []), file]);
  for (const file of files) {
    const code = readFileSync(file, 'utf8');
    // At every dot (`ctx.slack.chat.update(` holds `chat.update`), across line breaks; a method found
    // hides the names inside it (`usergroups.users.list` is not also `users.list`).
    let consumedUntil = -1;
    for (const m of code.matchAll(/\.(?=((?:[a-z]+\s*\.\s*){1,2}[a-zA-Z]+)\s*\()/g)) {
      const name = m[1]!.replace(/\s+/g, '');
      if (m.index < consumedUntil || !isWebApiMethod(name)) continue;
      add(name, file);
      consumedUntil = m.index + 1 + m[1]!.length;
    }
    // An object key (`{ username, icon_url: url }`), wherever it is built: it ends up in a call's arguments.
    for (const m of code.matchAll(paramKey)) s.params.add(m[1]!);
    for (const m of code.matchAll(/\.apiCall\(\s*['"`]([\w.]+)['"`]/g)) add(m[1]!, file);
    // The external upload flow, wrapped by the client.
    if (/\bfilesUploadV2\s*\(|\.files\.uploadV2\s*\(/.test(code)) for (const m of ['files.getUploadURLExternal', 'files.completeUploadExternal']) add(m, file);
    for (const m of code.matchAll(/\.event\(\s*['"`]([\w.]+)['"`]/g)) s.events.add(m[1]!);
    if (/\.message\(/.test(code)) s.events.add('message');
    for (const m of code.matchAll(/\.shortcut(?:<[^>]*>)?\(\s*(?:['"`]([\w.-]+)['"`]|(\w+\.\w+))/g))
      s.shortcuts.add(m[1] ?? ids.get(m[2]!) ?? `unresolved ${m[2]}`);
    for (const m of code.matchAll(/\.command\(\s*['"`](\/[\w-]+)['"`]/g)) s.commands.add(m[1]!);
    if (/\.(action|view|shortcut|options)(<[^>]*>)?\(/.test(code)) s.interactive = true;
    if (/\.options(<[^>]*>)?\(/.test(code)) s.options = true;
  }
  return s;
}

// ---- the manifest's shape, with the limits Slack documents

const httpsUrl = z.url({ protocol: /^https$/ });
const manifestSchema = z.strictObject({
  _metadata: z.strictObject({ major_version: z.number().int(), minor_version: z.number().int() }).optional(),
  display_information: z.strictObject({
    name: z.string().min(1).max(35),
    description: z.string().max(140).optional(),
    long_description: z.string().min(174).max(4000).optional(),
    background_color: z
      .string()
      .regex(/^#([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$/)
      .optional(),
  }),
  features: z.strictObject({
    app_home: z.strictObject({ home_tab_enabled: z.boolean(), messages_tab_enabled: z.boolean(), messages_tab_read_only_enabled: z.boolean() }),
    bot_user: z.strictObject({
      display_name: z
        .string()
        .max(80)
        .regex(/^[a-z0-9._-]+$/),
      always_online: z.boolean().optional(),
    }),
    slash_commands: z
      .array(
        z.strictObject({
          command: z.string().regex(/^\/[\w-]{1,31}$/),
          url: httpsUrl,
          description: z.string().min(1).max(2000),
          usage_hint: z.string().max(1000).optional(),
          should_escape: z.boolean().optional(),
        }),
      )
      .max(50),
    shortcuts: z
      .array(
        z.strictObject({
          name: z.string().min(1).max(24),
          type: z.enum(['global', 'message']),
          callback_id: z.string().min(1).max(255),
          description: z.string().min(1).max(150),
        }),
      )
      .max(10)
      .optional(),
    unfurl_domains: z
      .array(z.string().regex(/^[a-z0-9.-]+$/))
      .max(5)
      .optional(),
  }),
  oauth_config: z.strictObject({ scopes: z.strictObject({ bot: z.array(z.string()).min(1).max(255) }) }),
  settings: z.strictObject({
    event_subscriptions: z.strictObject({ request_url: httpsUrl, bot_events: z.array(z.string()).max(100) }).optional(),
    interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpsUrl, message_menu_options_url: httpsUrl.optional() }),
    org_deploy_enabled: z.boolean(),
    socket_mode_enabled: z.boolean(),
    token_rotation_enabled: z.boolean(),
  }),
});

const manifest = manifestSchema.parse(parse(readFileSync('manifests/slack-app.yml', 'utf8')));
const declaredScopes = new Set(manifest.oauth_config.scopes.bot);
const declaredEvents = new Set(manifest.settings.event_subscriptions?.bot_events ?? []);
const found = scan();

describe('manifests/slack-app.yml', () => {
  test('is a valid manifest: documented fields and limits, HTTP mode, every URL on the Bolt endpoint', () => {
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    const receiver = /endpoint:\s*'([^']+)'/.exec(readFileSync('src/platform/slack.ts', 'utf8'))?.[1];
    expect(receiver).toBe('/slack/events');
    const urls = [
      ...manifest.features.slash_commands.map((c) => c.url),
      manifest.settings.event_subscriptions?.request_url,
      manifest.settings.interactivity.request_url,
      manifest.settings.interactivity.message_menu_options_url,
    ].filter((u): u is string => !!u);
    for (const u of urls) expect(new URL(u).pathname).toBe(receiver);
    expect(new Set(urls.map((u) => new URL(u).host)).size).toBe(1);
  });

  test('declares the slash commands the app listens to, and nothing else', () => {
    expect(found.commands).toEqual(new Set(['/demo']));
    expect(new Set(manifest.features.slash_commands.map((c) => c.command))).toEqual(found.commands);
    expect(declaredScopes.has('commands')).toBe(true);
  });

  test('declares the shortcuts the app listens to (by callback_id), and nothing else', () => {
    const declared = new Set((manifest.features.shortcuts ?? []).map((sc) => sc.callback_id));
    expect(found.shortcuts).toEqual(new Set(['demo_launch', 'demo_launch_from_message']));
    expect(declared).toEqual(found.shortcuts);
  });

  test('unfurls exactly the domain of the console links it understands, when it handles link_shared', () => {
    const domains = manifest.features.unfurl_domains ?? [];
    expect(found.events.has('link_shared')).toBe(domains.length > 0);
    expect(domains).toEqual([new URL(consoleLinks('p', 'us-central1-a', 'demo-x').console).hostname]);
  });

  test('the scan finds the Web API methods the code calls, and each is in the scope table', () => {
    expect([...found.methods.keys()]).toEqual(expect.arrayContaining(['chat.postMessage', 'views.open', 'conversations.open']));
    const unknown = [...found.methods.keys()].filter((m) => !(m in METHOD_SCOPES));
    expect(unknown, `add these methods and their scopes to METHOD_SCOPES (called in ${unknown.map((m) => found.methods.get(m)).join('; ')})`).toEqual([]);
  });

  test('every scope the code needs is declared, and no scope is declared that nothing needs', () => {
    const needed = new Set<string>(['commands']);
    for (const m of found.methods.keys()) for (const s of METHOD_SCOPES[m] ?? []) needed.add(s);
    for (const p of found.params) for (const s of PARAM_SCOPES[p] ?? []) needed.add(s);
    for (const e of declaredEvents) for (const s of EVENT_SCOPES[e as BotEvent] ?? []) needed.add(s);
    expect([...needed].filter((s) => !declaredScopes.has(s)).sort(), 'needed but not declared').toEqual([]);
    expect([...declaredScopes].filter((s) => !needed.has(s)).sort(), 'declared but unused').toEqual([]);
  });

  test('the events declared are exactly the events handled', () => {
    const handled = new Set([...found.events].filter((e) => e !== 'message'));
    const declaredMessage = [...declaredEvents].filter((e) => e.startsWith('message.'));
    expect(new Set([...declaredEvents].filter((e) => !e.startsWith('message.')))).toEqual(handled);
    // A `message` listener needs at least one message.* subscription; none without one.
    if (found.events.has('message')) expect(declaredMessage.length).toBeGreaterThan(0);
    else expect(declaredMessage).toEqual([]);
    for (const e of declaredMessage) expect(MESSAGE_EVENTS).toContain(e);
    for (const e of declaredEvents) expect(EVENT_SCOPES, `scopes of the event ${e}`).toHaveProperty([e]);
  });

  test('App Home and interactivity are on exactly when the code uses them', () => {
    const home = found.events.has('app_home_opened') || found.methods.has('views.publish');
    expect(manifest.features.app_home.home_tab_enabled).toBe(home);
    expect(manifest.features.app_home.messages_tab_enabled).toBe(found.methods.has('conversations.open'));
    // Users may write to the bot only if it listens to its DMs.
    expect(manifest.features.app_home.messages_tab_read_only_enabled).toBe(!declaredEvents.has('message.im'));
    expect(manifest.settings.interactivity.is_enabled).toBe(found.interactive);
    expect(Boolean(manifest.settings.interactivity.message_menu_options_url)).toBe(found.options);
  });

  test('the scanner reads the call and listener patterns it claims to (guards the scan itself)', () => {
    expect(scan([]).methods.size).toBe(0);
    const probe = scan(['test/deploy/manifest-scan-probe.txt']);
    expect([...probe.methods.keys()].sort()).toEqual([
      'chat.update',
      'conversations.join',
      'files.completeUploadExternal',
      'files.getUploadURLExternal',
      'usergroups.users.list',
      'views.publish',
    ]);
    expect(probe.params).toEqual(new Set(['username', 'icon_url', 'icon_emoji']));
    expect(probe.events).toEqual(new Set(['app_home_opened', 'message']));
    expect(probe.commands).toEqual(new Set(['/probe']));
    expect(probe.shortcuts).toEqual(new Set(['probe_shortcut', 'unresolved ProbeIds.missing']));
    expect(probe.options).toBe(true);
    expect(isWebApiMethod('chat.postMessage')).toBe(true);
    expect(isWebApiMethod('usergroups.users.list')).toBe(true);
    for (const notMethod of ['users.filter', 'admin.set', 'chat.post']) expect(isWebApiMethod(notMethod)).toBe(false);
  });
});

describe('what a real flow calls is covered', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1', CATALOG_CHANNEL: 'C_DEMOS' } });
  });
  afterAll(async () => t?.close());

  test('browse (and filter), comment, launch and stop: every Web API method and scoped parameter recorded is known to the scan and the scope table', async () => {
    const browse = await openCatalog(t, 'U_ALICE');
    await t.slack.action({ user: 'U_ALICE', on: { viewId: browse.id }, actionId: 'catalog.filter', choice: 'official' });
    await eventually(
      () => t.fake.callsTo('views.update'),
      (calls) => calls.length > 0,
    );
    await launchFromCatalog(t, 'U_ALICE', 'crm-demo');
    const demo = await demoInState(t, 'U_ALICE', 'running', 'ready');
    // The DM gets its buttons right after the state changes: wait for them, as a user would.
    const dm = await eventually(
      () => statusDm(t, demo),
      (m) => JSON.stringify(m.blocks ?? []).includes('demos.stop'),
    );
    await t.slack.action({ user: 'U_ALICE', on: { channel: dm.channel, messageTs: dm.ts }, actionId: 'demos.stop' });
    await demoInState(t, 'U_ALICE', 'stopped');
    await t.slack.homeOpened({ user: 'U_ALICE' });
    const crm = await imageIdOf(t, 'crm-demo');
    await commentInModal(t, 'U_BOB', crm, 'Posted under my name');
    await eventually(
      () => t.fake.callsTo('chat.postMessage').filter((c) => c.args['text'] === 'Posted under my name'),
      (calls) => calls.length === 1,
    );

    // Parameters that need a scope of their own: the scan saw them, and the manifest declares their scopes.
    const params = t.fake.calls.flatMap((c) => Object.keys(c.args).filter((k) => k in PARAM_SCOPES && c.args[k] !== undefined));
    expect(params).toContain('username');
    expect(
      params.filter((p) => !found.params.has(p)),
      'sent, but the source scan did not find it',
    ).toEqual([]);
    expect(params.flatMap((p) => PARAM_SCOPES[p]!).filter((scope) => !declaredScopes.has(scope))).toEqual([]);
    // Each declared shortcut is answered with a modal (declared ⇒ handled, as Slack would deliver it).
    const note = await t.slack.message({ user: 'U_ALICE', channel: 'C_DEMOS', text: 'The Acme CRM demo, please' });
    for (const shortcut of manifest.features.shortcuts ?? []) {
      const opened = t.fake.callsTo('views.open').length;
      const messageTs = String((note.request.payload['event'] as { ts: string }).ts);
      if (shortcut.type === 'global') await t.slack.globalShortcut({ user: 'U_ALICE', callbackId: shortcut.callback_id });
      else await t.slack.messageShortcut({ user: 'U_ALICE', callbackId: shortcut.callback_id, channel: 'C_DEMOS', messageTs });
      await eventually(
        () => t.fake.callsTo('views.open').length,
        (n) => n > opened,
      );
    }
    // And a demo's console link in a declared unfurl domain is unfurled.
    const link = consoleLinks(t.config.gce.project, demo.zone, demo.instance_name).console;
    await t.slack.linkShared({ user: 'U_ALICE', channel: 'C_DEMOS', text: `<${link}>`, domains: manifest.features.unfurl_domains ?? [] });
    await eventually(
      () => t.fake.callsTo('chat.unfurl'),
      (calls) => calls.length > 0,
    );

    const called = new Set(t.fake.calls.map((c) => c.method).filter((m) => !NOT_METHODS.has(m)));
    expect([...called]).toEqual(expect.arrayContaining(['auth.test', 'views.open', 'views.update', 'chat.postMessage', 'chat.update', 'chat.unfurl']));
    expect(
      [...called].filter((m) => !(m in METHOD_SCOPES)),
      'called, but not in METHOD_SCOPES',
    ).toEqual([]);
    expect(
      [...called].filter((m) => !found.methods.has(m)),
      'called, but the source scan did not find it',
    ).toEqual([]);
  }, 60_000);

  test('the usage hint of /demo names every subcommand group', () => {
    const hint = manifest.features.slash_commands.find((c) => c.command === '/demo')?.usage_hint ?? '';
    const words = new Set(hint.split(/[^a-z]+/));
    const groups = [...t.app.router.specs.map((s) => s.name), 'help', ...(t.app.router.admin.size ? ['admin'] : [])];
    expect(groups.filter((g) => !words.has(g))).toEqual([]);
  });
});
