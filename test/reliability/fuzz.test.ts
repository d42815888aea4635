import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { eventually, startTestApp, type TestApp } from '../harness/app.ts';
import { deliver, interactionRequest, type SlackRequest } from '../harness/slack-requests.ts';
import { TEST_SIGNING_SECRET } from '../harness/app.ts';

/** A small deterministic PRNG, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
}

const WORDS = [
  'browse',
  'launch',
  'list',
  'help',
  'admin',
  'publish',
  'save',
  'share',
  'usage',
  'digest',
  'export',
  'audit',
  'transfer',
  'extend',
  'crm-demo',
  'retail-storefront',
  'all',
  'me',
  'last',
  'week',
  'subscribe',
  'weekly',
  'mon',
  '09:00',
  'Europe/Paris',
  'vmdk',
  'gs://bucket/x',
];
const NASTY = [
  "'; DROP TABLE demos; --",
  '" OR 1=1 --',
  '<@U_BOB>',
  '<@U_ADMIN|adam>',
  '<#C_GENERAL|general>',
  '<!channel>',
  '<!here>',
  '<https://evil.example|click me>',
  '*bold* _it_ `code` ```block```',
  '\u202Eevil\u202C',
  '👩‍💻🚀🔥',
  'ÆØÅ ñ 日本語 עברית العربية',
  '\u0000nul',
  '\t\n\r',
  '%s%s%n',
  '{{7*7}}',
  '${process.exit()}',
  '../../etc/passwd',
  'a'.repeat(300),
  '2026-02-30..2026-13-01',
];

function randomText(next: () => number): string {
  const n = Math.floor(next() * 6);
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = next();
    parts.push(
      r < 0.45
        ? WORDS[Math.floor(next() * WORDS.length)]!
        : r < 0.85
          ? NASTY[Math.floor(next() * NASTY.length)]!
          : String.fromCodePoint(0x20 + Math.floor(next() * 0x2fff)),
    );
  }
  if (next() < 0.03) parts.push('x'.repeat(2500 + Math.floor(next() * 5000)));
  return parts.join(next() < 0.8 ? ' ' : '');
}

async function tableCounts(t: TestApp): Promise<Record<string, number>> {
  const tables = [
    'images',
    'demos',
    'submissions',
    'steps',
    'usage_intervals',
    'share_requests',
    'comments',
    'exports',
    'digest_subscriptions',
    'budgets',
    'approvers',
    'audit_log',
  ];
  const out: Record<string, number> = {};
  for (const table of tables) out[table] = Number((await sql<{ n: string }>`select count(*) as n from ${sql.table(table)}`.execute(t.db)).rows[0]!.n);
  return out;
}

/**
 * How many Slack requests the app has finished, listeners and all, among log lines from `from` on:
 * the request middleware writes one "slack request" line per request once its listeners have returned.
 */
function finishedRequests(t: TestApp, from: number, kinds: string[]): number {
  return t.logs
    .slice(from)
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.includes('"message":"slack request"') && kinds.some((k) => line.includes(`"kind":"${k}"`))).length;
}

describe('fuzzing the Slack surface', () => {
  let t: TestApp;
  const rejections: unknown[] = [];
  const onRejection = (r: unknown) => rejections.push(r);
  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    t = await startTestApp({ env: { READINESS_TIMEOUT_SECONDS: '1', LOG_LEVEL: 'debug' } }); // "slack request" lines are at debug
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    await t?.close();
  });

  test('1,000 generated /demo texts: every one acked 200, none fails as a bug', async () => {
    const next = rng(20261125);
    const users = ['U_ALICE', 'U_BOB', 'U_ADMIN', 'U_MANAGER'];
    const statuses: number[] = [];
    const texts = Array.from({ length: 1000 }, () => randomText(next));
    const logsFrom = t.logs.length;
    for (let i = 0; i < texts.length; i += 20) {
      const batch = texts.slice(i, i + 20).map((text, j) => t.slack.command({ user: users[(i + j) % users.length]!, text }));
      for (const sent of await Promise.all(batch)) statuses.push(sent.response.status);
    }
    // Every command's listeners have returned (modals opened, replies sent, failures logged).
    await eventually(
      () => finishedRequests(t, logsFrom, ['command']),
      (n) => n === texts.length,
      60_000,
    );
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 200)).toBe(true);
    const bugs = t.logs.filter((l) => l.includes('"level":50'));
    expect(bugs.slice(0, 3)).toEqual([]);
    expect(rejections).toEqual([]);
  }, 240_000);

  test('200 malformed interaction payloads: 200 or 4xx, never 5xx, database unchanged', async () => {
    const before = await tableCounts(t);
    const next = rng(42);
    const actionIds = [
      'catalog.open_detail',
      'catalog.launch',
      'catalog.page.next',
      'catalog.filter',
      'catalog.jump',
      'demos.stop',
      'demos.start',
      'demos.delete',
      'demos.retry_zone.us-central1-b',
      'nope',
    ];
    const garbage = () =>
      [null, 42, 'x', '', '{', [], {}, 'NaN', '00000000-0000-0000-0000-000000000000', NASTY[Math.floor(next() * NASTY.length)]][Math.floor(next() * 10)];
    const requests: SlackRequest[] = [];
    for (let i = 0; i < 200; i++) {
      const kind = i % 5;
      if (kind === 0) {
        // Not JSON at all.
        requests.push({
          kind: 'interactive',
          contentType: 'application/x-www-form-urlencoded',
          body: `payload=${encodeURIComponent('{"type":"block_actions",' + 'x'.repeat(i % 7))}`,
          payload: {},
        } as unknown as SlackRequest);
      } else if (kind === 1) {
        requests.push(
          interactionRequest({
            type: 'block_actions',
            user: { id: 'U_BOB' },
            actions: [{ action_id: actionIds[i % actionIds.length]!, type: 'button', value: garbage() as never }],
            trigger_id: 'bogus',
          }),
        );
      } else if (kind === 2) {
        requests.push(
          interactionRequest({
            type: 'view_submission',
            user: { id: 'U_ALICE', team_id: 'T_DEMO' },
            team: { id: 'T_DEMO' },
            view: {
              id: 'VBOGUS',
              callback_id: ['demos.launch', 'catalog.browse', 'zzz'][i % 3]!,
              private_metadata: garbage() as never,
              state: { values: garbage() as never },
              hash: 'h',
            },
          }),
        );
      } else if (kind === 3) {
        requests.push(
          interactionRequest({
            type: ['block_suggestion', 'view_closed', 'shortcut', 'message_action', 'wat'][i % 5]!,
            user: { id: garbage() as never },
            action_id: 'catalog.jump',
            value: garbage() as never,
          }),
        );
      } else {
        requests.push(interactionRequest({ type: 'block_actions', actions: garbage() as never, user: garbage() as never }));
      }
    }
    // Unknown action ids get no ack from any listener, so Bolt answers them after its 2.5 s wait:
    // send them 25 at a time.
    const statuses: number[] = [];
    const logsFrom = t.logs.length;
    for (let i = 0; i < requests.length; i += 25) {
      const batch = requests.slice(i, i + 25).map(async (req) => {
        const res = await deliver(`${t.app.url}/slack/events`, req, { signingSecret: TEST_SIGNING_SECRET });
        await res.arrayBuffer();
        return res.status;
      });
      statuses.push(...(await Promise.all(batch)));
    }
    // Each request Bolt accepted (200) went through its middleware: wait until all have finished.
    const accepted = statuses.filter((s) => s === 200).length;
    await eventually(
      () => finishedRequests(t, logsFrom, ['block_actions', 'view_submission', 'view_closed', 'block_suggestion', 'shortcut', 'message_action', 'other']),
      (n) => n >= accepted,
      60_000,
    );
    expect(statuses.filter((s) => s >= 500)).toEqual([]);
    expect(statuses.every((s) => s === 200 || (s >= 400 && s < 500))).toBe(true);
    expect(await tableCounts(t)).toEqual(before);
    expect(rejections).toEqual([]);
  }, 120_000);
});
