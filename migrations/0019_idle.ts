import { sql, type Kysely } from 'kysely';

/**
 * Idle suspension (#26): what the once-a-minute idle check keeps per demo.
 *
 * - instance_id: the VM's GCE id, which Cloud Monitoring's series are keyed by (read once from GCE).
 * - active_at: the latest activity seen (a busy minute in the VM's CPU or network, or a Slack action
 *   on the demo: Extend, Keep running). Start, resume and "Open the app" count through the usage
 *   interval's start and opened_at.
 * - idle_since / idle_warned_at: a warning is out ("looks idle; I'll suspend it in 10 min"), for the
 *   idle period that began at idle_since; idle_dm_channel / idle_dm_ts: that DM, edited when it is
 *   answered, cancelled or acted on.
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    ALTER TABLE demos
      ADD COLUMN instance_id text,
      ADD COLUMN active_at timestamptz,
      ADD COLUMN idle_since timestamptz,
      ADD COLUMN idle_warned_at timestamptz,
      ADD COLUMN idle_dm_channel text,
      ADD COLUMN idle_dm_ts text`.execute(db);
  await sql`CREATE INDEX demos_idle_candidates ON demos (state) WHERE state IN ('running', 'suspended')`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
