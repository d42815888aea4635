import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { eventually, ManualClock, startTestApp, type TestApp } from '../harness/app.ts';
import { validateView } from '../../sim/slack/index.ts';
import { catalogImageId, newView, openViews, text } from './helpers.ts';

const NOW = '2026-03-04T12:00:00Z'; // a Wednesday

describe('App Home', () => {
  let t: TestApp;
  const clock = new ManualClock(NOW);
  beforeAll(async () => {
    t = await startTestApp({ clock, env: { ORG_TIME_ZONE: 'Europe/Paris', APPROVER_USER_IDS: 'U_MANAGER' } });
  });
  afterAll(async () => t?.close());

  async function seed(owner: string, demos: number, images: number) {
    const imageId = await catalogImageId(t, 'crm-demo');
    const now = clock.now();
    const rows = Array.from({ length: demos }, (_, i) => {
      const id = randomUUID();
      return {
        id,
        owner_id: owner,
        image_id: imageId,
        instance_name: `demo-${id.replaceAll('-', '')}`,
        zone: 'us-central1-a',
        machine_type: 'e2-medium',
        state: i % 3 === 0 ? ('stopped' as const) : ('running' as const),
        progress: i % 3 === 0 ? 'idle' : 'ready',
        expires_at: new Date(now.getTime() + 3_600_000),
        created_at: new Date(now.getTime() - i * 60_000),
        updated_at: now,
      };
    });
    await t.db.insertInto('demos').values(rows).execute();
    const saved = Array.from({ length: images }, (_, i) => ({
      project: 'demo-test-project',
      gce_name: `img-seed-${owner.toLowerCase().replace('_', '')}-${i}`,
      title: `Seeded image ${i}`,
      owner_id: owner,
      visibility: 'private' as const,
      origin: 'saved' as const,
      parent_image_id: imageId,
      source_demo_id: null,
      app_scheme: null,
      app_port: null,
      app_path: null,
      thread_channel: null,
      thread_ts: null,
      storage_bytes: 8 * 1024 ** 3,
      created_at: new Date(now.getTime() - i * 3_600_000),
      updated_at: now,
      deleted_at: null,
    }));
    if (saved.length) await t.db.insertInto('images').values(saved).execute();
    return rows;
  }

  test('200 demos and 30 images fit in ≤ 100 valid blocks; "see all" pages through them', async () => {
    const demos = await seed('U_ALICE', 200, 30);
    // Hours this week (Monday 00:00 Paris = Sunday 23:00 UTC): 2 h inside, 1 h before, 1 h straddling (half inside).
    await t.db
      .insertInto('usage_intervals')
      .values([
        {
          demo_id: demos[1]!.id,
          user_id: 'U_ALICE',
          image_id: demos[1]!.image_id,
          machine_type: 'e2-medium',
          zone: 'us-central1-a',
          started_at: new Date('2026-03-03T08:00:00Z'),
          ended_at: new Date('2026-03-03T10:00:00Z'),
        },
        {
          demo_id: demos[2]!.id,
          user_id: 'U_ALICE',
          image_id: demos[2]!.image_id,
          machine_type: 'e2-medium',
          zone: 'us-central1-a',
          started_at: new Date('2026-03-01T10:00:00Z'),
          ended_at: new Date('2026-03-01T11:00:00Z'),
        },
        {
          demo_id: demos[4]!.id,
          user_id: 'U_ALICE',
          image_id: demos[4]!.image_id,
          machine_type: 'e2-medium',
          zone: 'us-central1-a',
          started_at: new Date('2026-03-01T22:30:00Z'),
          ended_at: new Date('2026-03-01T23:30:00Z'),
        },
      ])
      .execute();

    await t.slack.homeOpened({ user: 'U_ALICE' });
    const home = await eventually(() => t.fake.home('U_ALICE'), Boolean);
    expect(home!.blocks.length).toBeLessThanOrEqual(100);
    expect(validateView({ type: 'home', blocks: home!.blocks })).toEqual([]);
    const body = text(home!.blocks);
    expect(body).toContain('See all 200 demos');
    expect(body).toContain('See all 30 images');
    expect(body).toContain('2.5 VM hours this week');
    for (const actionId of ['demos.resume', 'sharing.share', 'exports.open', 'demos.transfer', 'demos.delete_image', 'demos.save', 'demos.extend'])
      expect(body).toContain(actionId);
    expect(body).not.toContain('Fleet'); // not an admin

    const before = openViews(t, 'U_ALICE');
    await t.slack.action({ user: 'U_ALICE', on: { viewId: home!.id }, actionId: 'home.see_all_demos' });
    const list = await newView(t, 'U_ALICE', 'home.list', before);
    expect(text(list.blocks)).toContain('Page 1 of 20');
    expect(list.blocks.length).toBeLessThanOrEqual(100);
    await t.slack.action({ user: 'U_ALICE', on: { viewId: list.id }, actionId: 'home.page.next' });
    await eventually(
      () => t.fake.view(list.id),
      (v) => !!v && text(v.blocks).includes('Page 2 of 20'),
    );
  });

  test('approvers see pending share requests; admins see the fleet with the pause switch', async () => {
    const image = await t.db.selectFrom('images').select('id').where('owner_id', '=', 'U_ALICE').limit(1).executeTakeFirstOrThrow();
    await t.db
      .insertInto('share_requests')
      .values({
        image_id: image.id,
        requester_id: 'U_ALICE',
        status: 'pending',
        decided_by: null,
        decided_at: null,
        reason: null,
        channel: null,
        message_ts: null,
        created_at: clock.now(),
      })
      .execute();
    await t.slack.homeOpened({ user: 'U_MANAGER' });
    const manager = await eventually(() => t.fake.home('U_MANAGER'), Boolean);
    expect(text(manager!.blocks)).toContain('1 share request waiting');

    await t.slack.homeOpened({ user: 'U_ADMIN' });
    const admin = await eventually(() => t.fake.home('U_ADMIN'), Boolean);
    expect(admin!.blocks.length).toBeLessThanOrEqual(100);
    const body = text(admin!.blocks);
    expect(body).toContain('Fleet');
    expect(body).toContain('133 live demos'); // Alice's running ones: 200 less the 67 stopped
    expect(body).toContain('demos.pause');
    expect(body).toContain('Force stop');
  });
});
