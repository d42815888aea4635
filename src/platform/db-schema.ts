import type { ColumnType, Generated, Selectable } from 'kysely';
import type { GeneratedInt8, Int8, Numeric, Timestamp } from './db-columns.ts';
import type {
  IdleKeepsTable,
  MachinePricesTable,
  PoolSizesTable,
  PoolVmsTable,
  PriceRatesTable,
  SuspendedIntervalsTable,
  UsageIntervalsTable,
} from './db-schema-usage.ts';

export type { PoolVmState, PoolVmsTable } from './db-schema-usage.ts';

/** Kysely's view of migrations/: keep in step with them (the tables of VM time and prices are in db-schema-usage.ts). */

export type Visibility = 'private' | 'pending' | 'shared' | 'official';
/** 0017 added booked (no VM until its start time), suspended and cancelled (a booking given up). */
export type DemoState = 'booked' | 'provisioning' | 'running' | 'suspended' | 'stopped' | 'saving' | 'deleted' | 'failed' | 'cancelled';

export interface ImagesTable {
  id: Generated<string>;
  project: string;
  gce_name: string;
  title: string;
  description: Generated<string>;
  owner_id: string | null;
  visibility: Visibility;
  origin: 'catalog_label' | 'published' | 'saved';
  status: Generated<'creating' | 'ready' | 'deleting' | 'deleted' | 'failed'>;
  parent_image_id: string | null;
  source_demo_id: string | null;
  tags: Generated<string[]>;
  app_scheme: 'http' | 'https' | null;
  app_port: number | null;
  app_path: string | null;
  thread_channel: string | null;
  thread_ts: string | null;
  storage_bytes: Int8 | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  deleted_at: Timestamp | null;
  /** Generated (STORED) by PostgreSQL, so nullable as far as the database says. */
  search: ColumnType<string | null, never, never>;
  retention_warned_at: Timestamp | null;
  kept_at: Timestamp | null;
  /** 0005: the owner's names (from user_names) in the search text; launches and live comments, kept by triggers. */
  owner_name: Generated<string | null>;
  launch_count: Generated<number>;
  comment_count: Generated<number>;
  /** 0007: where GCE keeps the machine image: a region (us-central1) or a multi-region (us). */
  region: string | null;
  /** 0016: the machine image (GCE name) this catalog image is a newer version of (its `replaces` label). */
  replaces: Generated<string | null>;
  /** 0010: the short unique name people read and type (`acme-crm-alice-7f3k`); picked by a trigger on insert. */
  display_name: Generated<string>;
}

/** 0007: the machine types of the allowed zones, refreshed by the worker (machine-types/service.ts). */
export interface MachineTypesTable {
  project: string;
  zone: string;
  name: string;
  guest_cpus: number;
  memory_mb: number;
  is_shared_cpu: boolean;
  refreshed_at: Timestamp;
}

export interface DemosTable {
  id: string;
  owner_id: string;
  image_id: string;
  instance_name: string;
  zone: string;
  machine_type: string;
  state: DemoState;
  progress: Generated<string>;
  failure_reason: string | null;
  failure_kind: string | null;
  external_ip: string | null;
  internal_ip: string | null;
  app_ready: boolean | null;
  dm_channel: string | null;
  dm_ts: string | null;
  expires_at: Timestamp;
  nudged_at: Timestamp | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  expired_at: Timestamp | null;
  retention_warned_at: Timestamp | null;
  kept_at: Timestamp | null;
  /** 0010: the short unique name people read and type; picked by a trigger on insert. */
  display_name: Generated<string>;
  /** 0016: handed out from the warm pool rather than cloned; and how long submission → ready took. */
  from_pool: Generated<boolean>;
  ready_seconds: number | null;
  /** 0017: the last press of its "Open the app" button. */
  opened_at: Timestamp | null;
  /** 0019: its VM's GCE id (Cloud Monitoring's key), the latest activity seen, and an idle warning out. */
  instance_id: string | null;
  active_at: Timestamp | null;
  idle_since: Timestamp | null;
  idle_warned_at: Timestamp | null;
  idle_dm_channel: string | null;
  idle_dm_ts: string | null;
  /** 0018: a booking's ready-by time (its lifetime starts there); when the app starts it (then: started it); the T−10 min reminder. */
  ready_by: Timestamp | null;
  launch_at: Timestamp | null;
  reminded_at: Timestamp | null;
}

export interface SubmissionsTable {
  key: string;
  kind: string;
  resource_id: string;
  created_at: Timestamp;
}

export interface StepsTable {
  owner_kind: 'demo' | 'save' | 'export' | 'image' | 'pool';
  owner_id: string;
  step: string;
  request_id: string;
  operation_name: string | null;
  zone: string | null;
  created_at: Timestamp;
  done_at: Timestamp | null;
}

export interface ShareRequestsTable {
  id: Generated<string>;
  image_id: string;
  requester_id: string;
  note: Generated<string>;
  status: 'pending' | 'approved' | 'denied' | 'withdrawn' | 'expired';
  decided_by: string | null;
  decided_at: Timestamp | null;
  reason: string | null;
  channel: string | null;
  message_ts: string | null;
  created_at: Timestamp;
}

export interface CommentsTable {
  id: Generated<string>;
  image_id: string;
  author_id: string;
  body: string;
  slack_channel: string | null;
  slack_ts: string | null;
  created_at: Timestamp;
  edited_at: Timestamp | null;
  deleted_at: Timestamp | null;
  /** 0011: when the image's owner was told about it (a batched DM), or it needed no telling. */
  owner_notified_at: Timestamp | null;
}

/** 0011: a user's notification choices (no row: everything on). */
export interface NotificationPrefsTable {
  user_id: string;
  comment_dms_muted: boolean;
  updated_at: Timestamp;
}

export interface ExportsTable {
  id: string;
  image_id: string;
  requester_id: string;
  format: 'vmdk' | 'vhdx' | 'vpc' | 'vdi' | 'qcow2' | 'tar.gz';
  destination_uri: string;
  state: 'queued' | 'running' | 'done' | 'failed' | 'cancelled';
  progress: Generated<string>;
  temp_instance: string | null;
  temp_image: string | null;
  build_id: string | null;
  size_bytes: Int8 | null;
  signed_url: string | null;
  failure_reason: string | null;
  dm_channel: string | null;
  dm_ts: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  /** 0004_exports */
  zone: string | null;
  log_url: string | null;
  signed_url_expires_at: Timestamp | null;
  finished_at: Timestamp | null;
}

export interface DigestSubscriptionsTable {
  id: Generated<string>;
  channel_id: string;
  cadence: 'weekly' | 'daily';
  cron: string;
  time_zone: string;
  created_by: string;
  created_at: Timestamp;
  /** 0003: when the current schedule began (null: created_at). */
  schedule_since: Timestamp | null;
}

export interface DigestPostsTable {
  subscription_id: string;
  period_start: Timestamp;
  period_end: Timestamp;
  state: 'sending' | 'sent';
  message_ts: string | null;
  late: Generated<boolean>;
  created_at: Timestamp;
  /** 0003: a sender's lease; an expired one (crash) may be taken over, after a history check. */
  claimed_by: string | null;
  lease_until: Timestamp | null;
  attempts: Generated<number>;
  sent_at: Timestamp | null;
}

export interface ScheduledRunsTable {
  task: string;
  period_key: string;
  claimed_by: string;
  claimed_at: Timestamp;
}

export interface ApproversTable {
  user_id: string;
  added_by: string;
  added_at: Timestamp;
}

export interface SettingsTable {
  key: string;
  value: ColumnType<unknown, string, string>;
  updated_by: string | null;
  updated_at: Timestamp;
}

export interface BudgetsTable {
  user_id: string;
  max_running: number | null;
  monthly_cost_limit: Numeric | null;
  updated_by: string;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: GeneratedInt8;
  at: Timestamp;
  actor_id: string;
  action: string;
  resource_kind: string;
  resource_id: string;
  before: ColumnType<unknown, string | null, string | null>;
  after: ColumnType<unknown, string | null, string | null>;
  request_id: string | null;
}

export interface SavesTable {
  id: string;
  demo_id: string;
  image_id: string;
  requested_by: string;
  after: 'keep' | 'stop' | 'delete';
  prior_state: 'running' | 'stopped';
  state: 'creating' | 'done' | 'failed';
  failure_reason: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface HomeTabsTable {
  user_id: string;
  opened_at: Timestamp;
}

/** 0005: Slack names of people, from users.info, for searching images by owner. */
export interface UserNamesTable {
  user_id: string;
  name: Generated<string>;
  real_name: Generated<string>;
  display_name: Generated<string>;
  /** 0014: the profile picture (72 px) for posts in the user's name. */
  image_72: string | null;
  /** 0018: their Slack time zone (IANA name), to read the times they type. */
  tz: string | null;
  fetched_at: Timestamp;
}

/** Accepted Slack request signatures inside their 5-minute window (migrations/0008). */
export interface SlackRequestReplaysTable {
  key: string;
  expires_at: Timestamp;
}

export interface Database {
  images: ImagesTable;
  demos: DemosTable;
  submissions: SubmissionsTable;
  steps: StepsTable;
  usage_intervals: UsageIntervalsTable;
  machine_prices: MachinePricesTable;
  price_rates: PriceRatesTable;
  share_requests: ShareRequestsTable;
  comments: CommentsTable;
  exports: ExportsTable;
  digest_subscriptions: DigestSubscriptionsTable;
  digest_posts: DigestPostsTable;
  scheduled_runs: ScheduledRunsTable;
  approvers: ApproversTable;
  settings: SettingsTable;
  budgets: BudgetsTable;
  audit_log: AuditLogTable;
  user_names: UserNamesTable;
  saves: SavesTable;
  home_tabs: HomeTabsTable;
  machine_types: MachineTypesTable;
  notification_prefs: NotificationPrefsTable;
  slack_request_replays: SlackRequestReplaysTable;
  pool_sizes: PoolSizesTable;
  pool_vms: PoolVmsTable;
  suspended_intervals: SuspendedIntervalsTable;
  idle_keeps: IdleKeepsTable;
}

export type ImageRow = Selectable<ImagesTable>;
export type DemoRow = Selectable<DemosTable>;
