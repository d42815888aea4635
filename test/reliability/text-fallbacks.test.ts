import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { syncCatalog } from '../../src/catalog/service.ts';
import { startTestApp, type TestApp } from '../harness/app.ts';
import { demoInState, launchFromCatalog } from '../harness/flows.ts';

/** What an image owner could put in a title to ping everyone or phish from the app's notifications. */
const HOSTILE = 'Evil <!channel> <@U_ADMIN> <https://evil.example|login> & co';
const LIVE = ['<!channel>', '<@U_ADMIN>', '<https://evil.example'];

describe('the text fallback of notifications is escaped like the blocks', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    t.sim.addMachineImage({ name: 'hostile-title', description: `${HOSTILE}\nA demo.`, labels: { 'demo-vm-catalog': 'true' } });
    await syncCatalog(t.app.worker!);
  });
  afterAll(async () => t?.close());

  test('a launch from an image with a hostile title: every DM text shows it as text, no live mention or link', async () => {
    const mark = t.fake.mark();
    await launchFromCatalog(t, 'U_CAROL', 'hostile-title');
    const demo = await demoInState(t, 'U_CAROL', 'running', 'ready');
    const texts = t.fake.calls
      .slice(mark)
      .filter((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && c.args['channel'] === demo.dm_channel)
      .map((c) => String(c.args['text']));
    expect(texts.length).toBeGreaterThan(1);
    for (const text of texts) {
      for (const live of LIVE) expect(text).not.toContain(live);
      expect(text).toContain('Evil &lt;!channel&gt; &lt;@U_ADMIN&gt; &lt;https://evil.example|login&gt; &amp; co');
    }
  });
});
