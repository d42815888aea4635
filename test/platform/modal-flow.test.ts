import type { WebClient } from '@slack/web-api';
import type { View } from '@slack/types';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'vitest';
import { UserError } from '../../src/errors.ts';
import { DEFAULT_TOKEN, FakeSlack } from '../../sim/slack/index.ts';
import { createLogger } from '../../src/platform/log.ts';
import { modalFlow } from '../../src/platform/modal-flow.ts';
import { createWebClient } from '../../src/platform/slack.ts';

const fake = new FakeSlack();
const log = createLogger({ level: 'error', destination: new Writable({ write: (_c, _e, done) => done() }) });
let web: WebClient;

beforeAll(async () => {
  const { apiUrl } = await fake.listen();
  // The app's own client (its retry policy and logging), against the fake.
  web = createWebClient({ token: DEFAULT_TOKEN, apiUrl, retryConfig: { retries: 0 } }, log);
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const USER = 'U_ALICE';
const catalog: View = {
  type: 'modal',
  callback_id: 'catalog',
  title: { type: 'plain_text', text: 'Demo catalog' },
  blocks: [{ type: 'section', text: { type: 'mrkdwn', text: 'crm-demo' } }],
};
/** A build that finishes only when the test says so (no timing race with the placeholder). */
function gated<T>() {
  let release!: (value: T) => void;
  let fail!: (err: unknown) => void;
  const promise = new Promise<T>((resolve, reject) => ((release = resolve), (fail = reject)));
  return { promise, release, fail };
}
const methods = () => fake.calls.map((c) => c.method);

describe('modalFlow', () => {
  test('a quick build opens the finished view in one call, no placeholder', async () => {
    await modalFlow(web, log, { triggerId: fake.issueTriggerId(USER), title: 'Demo catalog' }, async () => catalog);
    expect(methods()).toEqual(['views.open']);
    expect(fake.views(USER).at(-1)?.callback_id).toBe('catalog');
  });

  test('a slow build opens "Loading…" inside the trigger window, then swaps the view in', async () => {
    // The build is still running when the placeholder goes up (after PLACEHOLDER_AFTER_MS, 400 ms).
    const build = gated<View>();
    const flow = modalFlow(web, log, { triggerId: fake.issueTriggerId(USER), title: 'Demo catalog', loading: 'Loading the catalog…' }, () => build.promise);
    await fake.waitFor('views.open', undefined, { timeoutMs: 15_000 });
    expect(methods()).toEqual(['views.open']);
    expect(JSON.stringify(fake.views(USER).at(-1)?.blocks)).toContain('Loading the catalog…');
    build.release(catalog);
    await flow;
    expect(methods()).toEqual(['views.open', 'views.update']);
    expect(fake.views(USER).at(-1)?.callback_id).toBe('catalog');
  });

  test.each([
    ['quick', false],
    ['slow', true],
  ])('a %s build that fails shows the reason in the modal', async (_speed, slow) => {
    const build = gated<View>();
    const flow = modalFlow(web, log, { triggerId: fake.issueTriggerId(USER), title: 'Launch a demo' }, () => build.promise);
    // Slow: it fails once the placeholder is open (PLACEHOLDER_AFTER_MS has passed); quick: at once.
    if (slow) await fake.waitFor('views.open', undefined, { timeoutMs: 15_000 });
    build.fail(new UserError('That image is being deleted.'));
    await flow;
    expect(JSON.stringify(fake.views(USER).at(-1)?.blocks)).toContain('That image is being deleted.');
    expect(methods()).toEqual(slow ? ['views.open', 'views.update'] : ['views.open']);
  });
});
