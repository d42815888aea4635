import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { sql } from 'kysely';
import { eventually, startTestApp, TEST_SIGNING_SECRET, type TestApp } from '../harness/app.ts';
import { rawPost } from '../harness/raw-post.ts';
import { openCatalog, openViewIds, waitForView } from '../harness/flows.ts';
import { blockSuggestion, interactionRequest, signedHeaders, slashCommand, viewSubmission } from '../harness/slack-requests.ts';
import { ReplayCache } from '../../src/platform/request-replays.ts';
import { STALE_FORM } from '../../src/platform/view-metadata.ts';
import type { JsonObject } from '../../sim/slack/index.ts';
import { openDetail, SHARING_ENV } from '../sharing/helpers.ts';

const MB = 1024 * 1024;
const nowSec = () => Math.floor(Date.now() / 1000);

const signed = (body: string, contentType: string, timestampSec = nowSec()) => ({
  'content-type': contentType,
  ...signedHeaders(TEST_SIGNING_SECRET, body, timestampSec),
});

describe('the Slack receiver refuses what it can before reading, and never dies of a body', () => {
  let t: TestApp;
  let url: string;
  beforeAll(async () => {
    t = await startTestApp({ env: SHARING_ENV });
    url = t.slack.receiverUrl;
  });
  afterAll(async () => t?.close());

  const stillServes = async () => {
    const help = await t.slack.command({ user: 'U_CAROL', text: 'help' });
    expect(help.response.status).toBe(200);
  };

  test.each([
    ['JSON null', 'null', 'application/json'],
    ['a JSON array', '[{"type":"event_callback"}]', 'application/json'],
    ['a JSON number', '42', 'application/json'],
    ['a JSON string', '"ssl_check"', 'application/json'],
    ['payload=null', 'payload=null', 'application/x-www-form-urlencoded'],
    ['payload=[]', 'payload=%5B%5D', 'application/x-www-form-urlencoded'],
    ['no JSON at all', '{"type":', 'application/json'],
  ])('a validly signed body that is %s gets 400, and the app keeps serving', async (_name, body, contentType) => {
    const answer = await rawPost(url, signed(body, contentType), body);
    expect(answer.status).toBe(400);
    await stillServes();
  });

  test('a body declared over 1 MB is refused with 413 before it is sent, signed or not', async () => {
    const headers = { 'content-type': 'application/json', 'content-length': String(4 * MB) };
    const unsigned = await rawPost(url, headers, Buffer.alloc(4 * MB, 'a'), { holdAfter: 0 });
    expect(unsigned).toEqual({ status: 413 });
    const withSignature = await rawPost(url, { ...headers, ...signedHeaders(TEST_SIGNING_SECRET, 'x') }, Buffer.alloc(4 * MB, 'a'), { holdAfter: 0 });
    expect(withSignature).toEqual({ status: 413 });
    await stillServes();
  });

  test('without signature headers, or with a timestamp out of ±5 minutes, the answer is 401 before the body is sent', async () => {
    const body = 'command=%2Fdemo&text=help';
    const form = { 'content-type': 'application/x-www-form-urlencoded', 'content-length': String(body.length) };
    expect(await rawPost(url, form, body, { holdAfter: 0 })).toEqual({ status: 401 });
    const stale = { ...form, ...signedHeaders(TEST_SIGNING_SECRET, body, nowSec() - 6 * 60) };
    expect(await rawPost(url, stale, body, { holdAfter: 0 })).toEqual({ status: 401 });
    const future = { ...form, ...signedHeaders(TEST_SIGNING_SECRET, body, nowSec() + 6 * 60) };
    expect(await rawPost(url, future, body, { holdAfter: 0 })).toEqual({ status: 401 });
    const garbled = { ...form, 'x-slack-signature': 'v0=00', 'x-slack-request-timestamp': '1e9' };
    expect(await rawPost(url, garbled, body, { holdAfter: 0 })).toEqual({ status: 401 });
  });

  test('a correctly signed request timestamped 6 minutes ahead is refused; 4 minutes ahead (clock skew) is served', async () => {
    const ahead6 = await t.slack.command({ user: 'U_CAROL', text: 'help' }, { timestampSec: nowSec() + 6 * 60 });
    expect(ahead6.response.status).toBe(401);
    const ahead4 = await t.slack.command({ user: 'U_CAROL', text: 'help' }, { timestampSec: nowSec() + 4 * 60 });
    expect(ahead4.response.status).toBe(200);
  });

  test('a body streamed past 1 MB without a declared length is cut off with 413', async () => {
    const big = JSON.stringify({ type: 'event_callback', pad: 'a'.repeat(1.5 * MB) });
    // Just past the limit, then the client waits: the answer is 413 (or, should the server's close
    // reach the client first, a connection reset — nothing else).
    const answer = await rawPost(url, { ...signed(big, 'application/json'), 'transfer-encoding': 'chunked' }, big, { holdAfter: MB + 64 * 1024 });
    expect([{ status: 413 }, { status: 0, error: 'ECONNRESET' }]).toContainEqual(answer);
    await stillServes();
  });

  test('a body that trickles in and never ends is given up after 5 s with 408', async () => {
    const body = 'command=%2Fdemo&text=help&user_id=U_CAROL';
    const headers = { ...signed(body, 'application/x-www-form-urlencoded'), 'content-length': String(body.length) };
    const answer = await rawPost(url, headers, body, { holdAfter: 10 });
    expect(answer).toEqual({ status: 408 });
  });

  test('the same signed request sent again is a replay: 401 and nothing done; Slack retries are not', async () => {
    const req = slashCommand(t.fake, { user: 'U_DAVE', text: 'help' });
    const headers = signed(req.body, req.contentType);
    const first = await rawPost(url, headers, req.body);
    expect(first.status).toBe(200);
    const again = await rawPost(url, headers, req.body);
    expect(again.status).toBe(401);
    // Slack's own redelivery carries X-Slack-Retry-Num: served (once per retry number).
    const retry = await rawPost(url, { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }, req.body);
    expect(retry.status).toBe(200);
    const retryAgain = await rawPost(url, { ...headers, 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' }, req.body);
    expect(retryAgain.status).toBe(401);
    // The replay was refused before any listener: help was answered twice (first + retry), not three times.
    expect(t.logs.filter((l) => l.includes('replayed request'))).toHaveLength(2);
    const rows = await t.db.selectFrom('slack_request_replays').selectAll().where('key', 'like', `${headers['x-slack-signature']}%`).execute();
    expect(rows.map((r) => r.key).sort()).toEqual([headers['x-slack-signature'], `${headers['x-slack-signature']}#retry1`]);
  });

  test('the same keystroke twice in one second (identical block_suggestion bytes) gets its options both times', async () => {
    const catalog = await openCatalog(t, 'U_HEIDI');
    const req = blockSuggestion(t.fake, { user: 'U_HEIDI', on: { viewId: catalog.id }, actionId: 'catalog.jump', value: 'crm' });
    const headers = signed(req.body, req.contentType);
    for (let i = 0; i < 2; i++) {
      const res = await fetch(url, { method: 'POST', headers, body: req.body });
      expect(res.status).toBe(200);
      expect(JSON.stringify(await res.json())).toContain('Acme CRM');
    }
    const stored = await t.db.selectFrom('slack_request_replays').select('key').where('key', '=', headers['x-slack-signature']).execute();
    expect(stored).toEqual([]); // read-only requests are not claimed
  });

  test('the replay cache keeps a signature only while its timestamp is in the window', async () => {
    const cache = new ReplayCache(t.db, t.app.ctx.log);
    const ts = nowSec();
    expect(await cache.claim('v0=prune-me', ts, undefined)).toBe(true);
    expect(await cache.claim('v0=prune-me', ts, undefined)).toBe(false);
    await cache.prune(new Date((ts + 5 * 60 - 10) * 1000));
    expect(await cache.claim('v0=prune-me', ts, undefined)).toBe(false);
    await cache.prune(new Date((ts + 5 * 60 + 2) * 1000));
    expect(await cache.claim('v0=prune-me', ts, undefined)).toBe(true);
  });

  test('claims made at once share one INSERT, and a signature twice in it is one request and one replay', async () => {
    const cache = new ReplayCache(t.db, t.app.ctx.log);
    const ts = nowSec();
    const signatures = Array.from({ length: 300 }, (_, i) => `v0=burst-${i}`);
    const answers = await Promise.all([...signatures, 'v0=burst-7'].map((s) => cache.claim(s, ts, undefined)));
    expect(answers.filter((a) => a)).toHaveLength(300);
    expect(answers.at(-1)).toBe(false); // burst-7's second copy
    const stored = await t.db.selectFrom('slack_request_replays').select('key').where('key', 'like', 'v0=burst-%').execute();
    expect(stored).toHaveLength(300);
    // Later claims of the same signatures, alone or together, are replays.
    expect(await Promise.all([cache.claim('v0=burst-1', ts, undefined), cache.claim('v0=burst-299', ts, undefined)])).toEqual([false, false]);
  });

  test('the replay table is unlogged: its commit, before every ack, waits for no WAL flush', async () => {
    const { rows } = await sql<{ relpersistence: string }>`SELECT relpersistence FROM pg_class WHERE relname = 'slack_request_replays'`.execute(t.db);
    expect(rows).toEqual([{ relpersistence: 'u' }]);
  });
  test("Slack's url_verification and ssl_check are answered", async () => {
    const challenge = JSON.stringify({ type: 'url_verification', token: 't', challenge: 'c-123' });
    const res = await fetch(url, { method: 'POST', headers: signed(challenge, 'application/json'), body: challenge });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ challenge: 'c-123' });
    const ssl = 'ssl_check=1&token=t';
    expect((await rawPost(url, signed(ssl, 'application/x-www-form-urlencoded'), ssl)).status).toBe(200);
  });

  test('a NUL byte in command text is dropped at the boundary: `/demo resume x\\0` gets the normal answer', async () => {
    await t.slack.command({ user: 'U_ERIN', text: 'resume x\u0000' });
    const reply = await eventually(
      () => t.fake.ephemerals('U_ERIN').at(-1),
      (e) => !!e,
    );
    expect(reply!.text).toContain('I understood saved image `x`, but found none');
  });

  test('a comment with NUL and other control characters is acked, stored and posted without them', async () => {
    const crm = (await t.db.selectFrom('images').select('id').where('gce_name', '=', 'crm-demo').executeTakeFirstOrThrow()).id;
    const detail = await openDetail(t, 'U_FRANK', crm);
    const before = openViewIds(t, 'U_FRANK');
    await t.slack.action({ user: 'U_FRANK', on: { viewId: detail.id }, actionId: 'comments.comment', choice: crm });
    const modal = await waitForView(t, 'U_FRANK', 'comments.comment_view', before);
    const sent = await t.slack.submit({ user: 'U_FRANK', viewId: modal.id, values: { 'comments.body': 'Null\u0000 and bell\u0007 here,\tkept\nlines' } });
    expect(sent.response.status).toBe(200);
    expect(sent.outcome).toMatchObject({ outcome: 'closed' });
    const row = await eventually(
      () => t.db.selectFrom('comments').select('body').where('author_id', '=', 'U_FRANK').executeTakeFirst(),
      (r) => !!r,
    );
    expect(row!.body).toBe('Null and bell here,\tkept\nlines');
  });

  // What a forged client can put in private_metadata: not JSON, JSON that is not an object, the
  // right keys with ids that are no uuid, the wrong types.
  const FORGED = ['not json', 'null', '[1]', '{"imageId":"x","demoId":"x","requestId":"x","kind":"demo","id":"x","parentViewId":null}', '{"imageId":7}'];
  const LAUNCH_VALUES = {
    'demos.zone_block': { 'demos.zone': { type: 'static_select', selected_option: { value: 'us-central1-a' } } },
    'demos.machine_type_block': { 'demos.machine_type': { type: 'static_select', selected_option: { value: 'e2-medium' } } },
    'demos.ttl_block': { 'demos.ttl': { type: 'static_select', selected_option: { value: '8' } } },
  };

  test.each(['demos.launch', 'exports.modal', 'demos.save_view', 'demos.transfer_view', 'comments.comment_view', 'sharing.request_view', 'sharing.deny_view'])(
    'a %s submission with forged private_metadata is answered in the ack: the modal says it is out of date',
    async (callbackId) => {
      const base = await openCatalog(t, 'U_GRACE');
      const logsBefore = t.logs.length;
      for (const forged of FORGED) {
        const payload = viewSubmission(t.fake, { user: 'U_GRACE', viewId: base.id }).payload as { view: JsonObject };
        payload.view = { ...payload.view, callback_id: callbackId, private_metadata: forged, state: { values: LAUNCH_VALUES } };
        const sent = await t.slack.send(interactionRequest(payload));
        expect(sent.response.status, forged).toBe(200);
        expect(sent.body, forged).toMatchObject({ response_action: 'errors' });
        expect(Object.values((sent.body as { errors: Record<string, string> }).errors), forged).toContain(STALE_FORM);
      }
      expect(t.logs.slice(logsBefore).filter((l) => l.includes('"level":50'))).toEqual([]);
    },
  );

  test('a listener that throws before its ack gets a 500 logged with its request id, and the app keeps serving', async () => {
    t.app.bolt!.view('test.boom', async () => {
      throw new Error('boom before the ack');
    });
    const base = await openCatalog(t, 'U_HEIDI');
    const payload = viewSubmission(t.fake, { user: 'U_HEIDI', viewId: base.id }).payload as { view: JsonObject };
    payload.view = { ...payload.view, callback_id: 'test.boom' };
    const sent = await t.slack.send(interactionRequest(payload));
    expect(sent.response.status).toBe(500);
    const line = await eventually(() => t.logs.find((l) => l.includes('failed before its ack') && l.includes('boom before the ack')), Boolean);
    expect(JSON.parse(line!)).toMatchObject({ requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    await stillServes();
  });
});
