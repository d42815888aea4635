/** The App Home benchmark's data: one user with 1,000 demos among `others` users with 10 each. */
import { sql } from 'kysely';
import type { Db } from '../../src/platform/db.ts';

export const HEAVY = 'U_B0001';

export async function loadHomeData(db: Db, others: number): Promise<void> {
  await sql`SELECT setseed(0.7)`.execute(db);
  await sql`
    INSERT INTO images (id, project, gce_name, title, description, owner_id, visibility, origin, created_at, updated_at)
    SELECT md5('img' || g)::uuid, 'demo-bench-project', 'img-home-' || g, 'Bench image ' || g, 'An image.',
           CASE WHEN g <= 200 THEN ${HEAVY} ELSE NULL END,
           CASE WHEN g <= 200 THEN 'private' ELSE 'official' END,
           CASE WHEN g <= 200 THEN 'saved' ELSE 'published' END,
           now() - make_interval(days => g % 365), now()
      FROM generate_series(1, 1200) g`.execute(db);
  // The heavy user: 1,000 demos over a year, newest first 30% running, 60% stopped, 10% deleted.
  // Everyone else: 10 demos each, mostly deleted.
  await sql`
    INSERT INTO demos (id, owner_id, image_id, instance_name, zone, machine_type, state, progress, expires_at, created_at, updated_at)
    SELECT md5('demo' || g)::uuid,
           CASE WHEN g <= 1000 THEN ${HEAVY} ELSE 'U' || lpad(((g - 1001) / 10)::text, 7, '0') END,
           md5('img' || (g % 1000 + 201))::uuid, 'demo-' || md5('demo' || g),
           (ARRAY['us-central1-a', 'us-central1-b', 'europe-west1-b'])[g % 3 + 1], 'e2-medium',
           CASE WHEN g % 10 < 3 THEN 'running' WHEN g % 10 < 9 AND g <= 1000 THEN 'stopped' WHEN g % 10 < 5 THEN 'stopped' ELSE 'deleted' END,
           CASE WHEN g % 10 < 3 THEN 'ready' ELSE 'idle' END,
           now() + interval '8 hours', now() - make_interval(hours => (g * 7) % 8760), now()
      FROM generate_series(1, 1000 + ${others} * 10) g`.execute(db);
  // Closed intervals of 1–4 h, one a day back from now, three per demo (never overlapping), plus an
  // open one for each running demo.
  await sql`
    INSERT INTO usage_intervals (demo_id, user_id, image_id, machine_type, zone, started_at, ended_at)
    SELECT d.id, d.owner_id, d.image_id, d.machine_type, d.zone,
           now() - make_interval(days => k + (hashtext(d.id::text) & 7)), now() - make_interval(days => k + (hashtext(d.id::text) & 7)) + make_interval(hours => 1 + k)
      FROM demos d, generate_series(1, 3) k`.execute(db);
  await sql`
    INSERT INTO usage_intervals (demo_id, user_id, image_id, machine_type, zone, started_at, ended_at)
    SELECT id, owner_id, image_id, machine_type, zone, now() - interval '2 hours', NULL FROM demos WHERE state = 'running'`.execute(db);
  await sql`ANALYZE`.execute(db);
}
