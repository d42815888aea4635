import { sql, type Kysely } from 'kysely';

/**
 * The whole first schema. Later issues fill these tables; the constraints are the product's rules:
 * one open usage interval per demo, no overlapping intervals, one pending share request per image,
 * one digest per subscription and period, one step record per (owner, step).
 */
export async function up(db: Kysely<any>): Promise<void> {
  // btree_gist lets an exclusion constraint mix `=` on uuid with `&&` on ranges.
  await sql`CREATE EXTENSION IF NOT EXISTS btree_gist`.execute(db);

  // array_to_string is only STABLE; tags are plain text, so this wrapper is honestly IMMUTABLE.
  await sql`CREATE FUNCTION tags_text(text[]) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$ SELECT array_to_string($1, ' ') $$`.execute(db);
  await sql`
    CREATE TABLE images (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      project text NOT NULL,
      gce_name text NOT NULL,
      title text NOT NULL CHECK (char_length(title) BETWEEN 1 AND 150),
      description text NOT NULL DEFAULT '' CHECK (char_length(description) <= 3000),
      owner_id text,
      visibility text NOT NULL CHECK (visibility IN ('private', 'pending', 'shared', 'official')),
      origin text NOT NULL CHECK (origin IN ('catalog_label', 'published', 'saved')),
      status text NOT NULL DEFAULT 'ready' CHECK (status IN ('creating', 'ready', 'deleting', 'deleted', 'failed')),
      parent_image_id uuid REFERENCES images(id) ON DELETE SET NULL,
      source_demo_id uuid,
      tags text[] NOT NULL DEFAULT '{}',
      app_scheme text CHECK (app_scheme IN ('http', 'https')),
      app_port integer CHECK (app_port BETWEEN 1 AND 65535),
      app_path text CHECK (app_path LIKE '/%'),
      thread_channel text,
      thread_ts text,
      storage_bytes bigint,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      deleted_at timestamptz,
      search tsvector GENERATED ALWAYS AS (
        setweight(to_tsvector('simple'::regconfig, title), 'A') ||
        setweight(to_tsvector('simple'::regconfig, tags_text(tags)), 'B') ||
        setweight(to_tsvector('simple'::regconfig, coalesce(owner_id, '')), 'B') ||
        setweight(to_tsvector('simple'::regconfig, description), 'C')
      ) STORED,
      CHECK (owner_id IS NOT NULL OR visibility = 'official'),
      CHECK ((thread_channel IS NULL) = (thread_ts IS NULL))
    )`.execute(db);
  // A machine image is in the catalog at most once while it exists.
  await sql`CREATE UNIQUE INDEX images_live_gce_name ON images (project, gce_name) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX images_search ON images USING gin (search) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX images_visible_recent ON images (visibility, created_at DESC) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX images_owner ON images (owner_id, created_at DESC) WHERE deleted_at IS NULL`.execute(db);
  await sql`CREATE INDEX images_parent ON images (parent_image_id)`.execute(db);
  await sql`CREATE UNIQUE INDEX images_thread ON images (thread_channel, thread_ts)`.execute(db);

  await sql`
    CREATE TABLE demos (
      id uuid PRIMARY KEY,
      owner_id text NOT NULL,
      image_id uuid NOT NULL REFERENCES images(id),
      instance_name text NOT NULL UNIQUE CHECK (instance_name ~ '^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$'),
      zone text NOT NULL,
      machine_type text NOT NULL,
      state text NOT NULL CHECK (state IN ('provisioning', 'running', 'stopped', 'saving', 'deleted', 'failed')),
      progress text NOT NULL DEFAULT 'queued',
      failure_reason text,
      failure_kind text,
      external_ip text,
      internal_ip text,
      app_ready boolean,
      dm_channel text,
      dm_ts text,
      expires_at timestamptz NOT NULL,
      nudged_at timestamptz,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL,
      CHECK (state <> 'failed' OR failure_reason IS NOT NULL)
    )`.execute(db);
  await sql`ALTER TABLE images ADD FOREIGN KEY (source_demo_id) REFERENCES demos(id) ON DELETE SET NULL`.execute(db);
  await sql`CREATE INDEX demos_owner ON demos (owner_id, created_at DESC)`.execute(db);
  await sql`CREATE INDEX demos_live_expiry ON demos (expires_at) WHERE state IN ('provisioning', 'running', 'stopped')`.execute(db);
  await sql`CREATE INDEX demos_image ON demos (image_id)`.execute(db);

  // Idempotency of Slack submissions: a view submission or button press creates one thing.
  await sql`
    CREATE TABLE submissions (
      key text PRIMARY KEY,
      kind text NOT NULL,
      resource_id uuid NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);

  // What each durable step created on GCE: requestId fixed before the call, operation recorded after.
  await sql`
    CREATE TABLE steps (
      owner_kind text NOT NULL CHECK (owner_kind IN ('demo', 'save', 'export')),
      owner_id uuid NOT NULL,
      step text NOT NULL,
      request_id uuid NOT NULL,
      operation_name text,
      zone text,
      created_at timestamptz NOT NULL,
      done_at timestamptz,
      PRIMARY KEY (owner_kind, owner_id, step)
    )`.execute(db);

  await sql`
    CREATE TABLE usage_intervals (
      id bigserial PRIMARY KEY,
      demo_id uuid NOT NULL REFERENCES demos(id),
      user_id text NOT NULL,
      image_id uuid NOT NULL REFERENCES images(id),
      machine_type text NOT NULL,
      zone text NOT NULL,
      started_at timestamptz NOT NULL,
      ended_at timestamptz,
      source text NOT NULL DEFAULT 'app' CHECK (source IN ('app', 'reconciler')),
      CHECK (ended_at IS NULL OR ended_at > started_at),
      -- Never two intervals of one demo at once: a second overlapping one would double-count.
      EXCLUDE USING gist (demo_id WITH =, tstzrange(started_at, ended_at, '[)') WITH &&)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX usage_one_open_per_demo ON usage_intervals (demo_id) WHERE ended_at IS NULL`.execute(db);
  await sql`CREATE INDEX usage_by_user_time ON usage_intervals (user_id, started_at)`.execute(db);
  await sql`CREATE INDEX usage_by_time ON usage_intervals (started_at) INCLUDE (ended_at, user_id, image_id, machine_type, zone)`.execute(db);

  await sql`
    CREATE TABLE machine_prices (
      machine_type text NOT NULL,
      region text NOT NULL,
      hourly_price numeric(12, 6) NOT NULL CHECK (hourly_price >= 0),
      currency text NOT NULL DEFAULT 'USD' CHECK (currency ~ '^[A-Z]{3}$'),
      updated_by text,
      updated_at timestamptz NOT NULL,
      PRIMARY KEY (machine_type, region)
    )`.execute(db);

  await sql`
    CREATE TABLE share_requests (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      image_id uuid NOT NULL REFERENCES images(id),
      requester_id text NOT NULL,
      note text NOT NULL DEFAULT '' CHECK (char_length(note) <= 3000),
      status text NOT NULL CHECK (status IN ('pending', 'approved', 'denied', 'withdrawn', 'expired')),
      decided_by text,
      decided_at timestamptz,
      reason text,
      channel text,
      message_ts text,
      created_at timestamptz NOT NULL,
      CHECK ((status = 'pending') = (decided_at IS NULL)),
      CHECK (decided_by IS NULL OR decided_by <> requester_id)
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX share_one_pending_per_image ON share_requests (image_id) WHERE status = 'pending'`.execute(db);

  await sql`
    CREATE TABLE comments (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      image_id uuid NOT NULL REFERENCES images(id),
      author_id text NOT NULL,
      body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 4000),
      slack_channel text,
      slack_ts text,
      created_at timestamptz NOT NULL,
      edited_at timestamptz,
      deleted_at timestamptz
    )`.execute(db);
  await sql`CREATE UNIQUE INDEX comments_slack_message ON comments (slack_channel, slack_ts)`.execute(db);
  await sql`CREATE INDEX comments_image_recent ON comments (image_id, created_at DESC) WHERE deleted_at IS NULL`.execute(db);

  await sql`
    CREATE TABLE exports (
      id uuid PRIMARY KEY,
      image_id uuid NOT NULL REFERENCES images(id),
      requester_id text NOT NULL,
      format text NOT NULL CHECK (format IN ('vmdk', 'vhdx', 'vpc', 'vdi', 'qcow2', 'tar.gz')),
      destination_uri text NOT NULL CHECK (destination_uri LIKE 'gs://%'),
      state text NOT NULL CHECK (state IN ('queued', 'running', 'done', 'failed', 'cancelled')),
      progress text NOT NULL DEFAULT 'queued',
      temp_instance text,
      temp_image text,
      build_id text,
      size_bytes bigint,
      signed_url text,
      failure_reason text,
      dm_channel text,
      dm_ts text,
      created_at timestamptz NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`CREATE INDEX exports_image_active ON exports (image_id) WHERE state IN ('queued', 'running')`.execute(db);

  await sql`
    CREATE TABLE digest_subscriptions (
      id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
      channel_id text NOT NULL UNIQUE,
      cadence text NOT NULL CHECK (cadence IN ('weekly', 'daily')),
      cron text NOT NULL,
      time_zone text NOT NULL,
      created_by text NOT NULL,
      created_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE digest_posts (
      subscription_id uuid NOT NULL REFERENCES digest_subscriptions(id) ON DELETE CASCADE,
      period_start timestamptz NOT NULL,
      period_end timestamptz NOT NULL,
      state text NOT NULL CHECK (state IN ('sending', 'sent')),
      message_ts text,
      late boolean NOT NULL DEFAULT false,
      created_at timestamptz NOT NULL,
      PRIMARY KEY (subscription_id, period_start),
      CHECK (period_end > period_start)
    )`.execute(db);

  // Scheduled tasks run once per period across replicas: the first to insert the row runs it.
  await sql`
    CREATE TABLE scheduled_runs (
      task text NOT NULL,
      period_key text NOT NULL,
      claimed_by text NOT NULL,
      claimed_at timestamptz NOT NULL,
      PRIMARY KEY (task, period_key)
    )`.execute(db);

  await sql`
    CREATE TABLE approvers (
      user_id text PRIMARY KEY,
      added_by text NOT NULL,
      added_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE settings (
      key text PRIMARY KEY,
      value jsonb NOT NULL,
      updated_by text,
      updated_at timestamptz NOT NULL
    )`.execute(db);
  await sql`
    CREATE TABLE budgets (
      user_id text PRIMARY KEY,
      max_running integer CHECK (max_running >= 0),
      monthly_cost_limit numeric(12, 2) CHECK (monthly_cost_limit >= 0),
      updated_by text NOT NULL,
      updated_at timestamptz NOT NULL
    )`.execute(db);

  await sql`
    CREATE TABLE audit_log (
      id bigserial PRIMARY KEY,
      at timestamptz NOT NULL,
      actor_id text NOT NULL,
      action text NOT NULL,
      resource_kind text NOT NULL,
      resource_id text NOT NULL,
      before jsonb,
      after jsonb,
      request_id text
    )`.execute(db);
  await sql`CREATE INDEX audit_by_actor ON audit_log (actor_id, at DESC)`.execute(db);
  await sql`CREATE INDEX audit_by_resource ON audit_log (resource_kind, resource_id, at DESC)`.execute(db);
}

export async function down(): Promise<void> {
  throw new Error('migrations are forward-only');
}
