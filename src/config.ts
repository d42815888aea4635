import { z } from 'zod';
import { csv, slackUserIds, positiveInt, boolFlag, timeZone, labelPair, gceZone, subnets, networkTag, slackChannelId, bucketName } from './config-fields.ts';

/**
 * Configuration from the environment. Every variable is optional; what is set picks the mode:
 * no Slack variables → local workspace; no GCP project → the built-in GCE simulator. In production
 * both must be configured: never a silent fallback to fakes.
 */

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  ROLE: z.enum(['web', 'worker', 'all'], { message: 'must be web, worker or all' }).default('all'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  PORT: z.string().regex(/^\d+$/, 'must be a port number').transform(Number).pipe(z.number().int().min(0).max(65535)).default(3000),
  BIND_ADDRESS: z.string().min(1).optional(),
  LOCAL_WORKSPACE_HOSTS: csv.pipe(z.array(z.string().regex(/^[a-z0-9.:-]+$/i, 'each must be a host name or an IP address, without a port'))).default([]),

  SLACK_BOT_TOKEN: z
    .string()
    .regex(/^xoxb-/, 'must be a bot token starting with xoxb-')
    .optional(),
  SLACK_SIGNING_SECRET: z.string().min(8, 'looks too short for a signing secret').optional(),
  SLACK_APP_TOKEN: z
    .string()
    .regex(/^xapp-/, 'must be an app-level token starting with xapp-')
    .optional(),
  SLACK_API_URL: z.url({ protocol: /^https?$/ }).optional(),

  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
  DATA_DIR: z.string().min(1).default('./data'),

  GCP_PROJECT: z
    .string()
    .regex(/^[a-z][-a-z0-9]{4,28}[a-z0-9]$/, 'must be a GCP project ID')
    .optional(),
  GCP_ZONE: gceZone.optional(),
  GCE_API_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  GCE_ALLOWED_ZONES: csv.pipe(z.array(gceZone)).optional(),
  GCE_MACHINE_TYPES: csv.pipe(z.array(z.string().regex(/^[a-z][-a-z0-9]*$/, 'each must be a machine type like e2-medium'))).optional(),
  GCE_DEFAULT_MACHINE_TYPE: z
    .string()
    .regex(/^[a-z][-a-z0-9]*$/)
    .optional(),
  GCE_SUBNETS: subnets.optional(),
  GCE_EXTERNAL_IP: z.enum(['ephemeral', 'none'], { message: 'must be ephemeral or none' }).default('ephemeral'),
  GCE_NETWORK_TAGS: csv.pipe(z.array(networkTag)).default([]),
  DEMO_SERVICE_ACCOUNT: z.email('must be a service account email').optional(),
  DEMO_SERVICE_ACCOUNT_SCOPES: csv.pipe(z.array(z.url({ protocol: /^https$/ }))).optional(),
  CATALOG_LABEL: labelPair.default('demo-vm-catalog=true'),
  CATALOG_SYNC_MINUTES: positiveInt(10),

  ADMIN_USER_IDS: slackUserIds.default([]),
  ORG_TIME_ZONE: timeZone.default('UTC'),
  DEMO_TTL_HOURS: positiveInt(8),
  DEMO_MAX_TTL_HOURS: positiveInt(72),
  READINESS_TIMEOUT_SECONDS: positiveInt(120),
  DEMO_NUDGE_MINUTES: positiveInt(30),
  DEMO_EXTEND_HOURS: positiveInt(2),
  DEMO_EXPIRY_POLICY: z.enum(['stop', 'save_then_delete']).default('stop'),
  DEMO_RETENTION_DAYS: positiveInt(14),
  IMAGE_RETENTION_DAYS: positiveInt(90),
  RETENTION_NOTICE_DAYS: positiveInt(3),
  DEMO_IDLE_MINUTES: positiveInt(30),

  EXPORT_BUCKET: bucketName.optional(),
  EXPORT_BUCKETS: csv.pipe(z.array(bucketName)).optional(),
  EXPORT_SIGNED_URL_DAYS: positiveInt(7),
  EXPORT_POLL_MS: positiveInt(15_000),
  CLOUD_BUILD_API_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  STORAGE_API_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  BILLING_API_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),
  MONITORING_API_ENDPOINT: z.url({ protocol: /^https?$/ }).optional(),

  SHARE_APPROVALS_CHANNEL: slackChannelId.optional(),
  APPROVER_USER_IDS: slackUserIds.default([]),
  APPROVER_USERGROUP: z
    .string()
    .regex(/^S[A-Z0-9_]{2,}$/, 'must be a Slack user group ID like S0123ABCD')
    .optional(),
  SHARE_REQUEST_EXPIRY_DAYS: positiveInt(14),
  CATALOG_CHANNEL: slackChannelId.optional(),
  COMMENT_DM_BATCH_SECONDS: positiveInt(180),

  SHUTDOWN_GRACE_SECONDS: positiveInt(20),
  BUDGET_MAX_RUNNING: positiveInt(5),
  BUDGET_MONTHLY_USD: positiveInt(500),
  POOL_MAX_VMS: positiveInt(10),
  POOL_MONTHLY_BUDGET_USD: positiveInt(200),
  POOL_REFRESH_DAYS: positiveInt(50),
  ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP: boolFlag,
  /** Test-only: named crash points (see platform/crash.ts). */
  DEMO_VM_CRASH_AT: z.string().optional(),
  /** Test-only: a directory where every request handed to Google's clients is appended (the schema contract test reads it). */
  DEMO_VM_CONTRACT_LOG: z.string().optional(),
  /**
   * Benchmark-only, with a simulated GCE: the app's time runs this many times faster than real time
   * (its clock and every poll and backoff), from DEMO_VM_TIME_ORIGIN, as the simulator's does.
   */
  DEMO_VM_TIME_SCALE: z
    .string()
    .regex(/^\d+(\.\d+)?$/, 'must be a number')
    .transform(Number)
    .pipe(z.number().min(1))
    .default(1),
  DEMO_VM_TIME_ORIGIN: z.iso.datetime({ message: 'must be an ISO 8601 time (UTC)' }).optional(),
});

export type SlackMode = 'http' | 'socket' | 'local';
/** web answers Slack and never loads Google's libraries; worker runs jobs and schedules; all is both. */
export type Role = 'web' | 'worker' | 'all';
export type GceMode = 'gce' | 'emulator' | 'simulator';

export interface Config {
  env: 'development' | 'production' | 'test';
  role: Role;
  logLevel: string;
  port: number;
  bindAddress: string;
  /** Other names the local workspace page may be addressed by, when it listens beyond loopback. */
  localWorkspaceHosts: string[];
  slack: {
    mode: SlackMode;
    botToken?: string;
    signingSecret?: string;
    appToken?: string;
    apiUrl?: string;
  };
  database: { kind: 'postgres'; url: string } | { kind: 'pglite'; dataDir: string };
  gce: {
    mode: GceMode;
    project: string;
    defaultZone: string;
    zones: string[];
    machineTypes: string[];
    defaultMachineType: string;
    apiEndpoint?: string;
    /** No GCP_PROJECT in production or for a worker: the project Application Default Credentials name, found at start (run.ts). */
    projectFromAdc: boolean;
    catalogLabel: { key: string; value: string };
    catalogSyncMinutes: number;
    /** Subnetwork per region (self-link path), for launches outside an image's own region. */
    subnets: Record<string, string>;
    /** `none`: demo VMs get no external IP (reached through IAP). */
    externalIp: 'ephemeral' | 'none';
    /** Added to the image's own network tags on every demo VM. */
    networkTags: string[];
    /** What demo VMs run as; null = no service account at all (not the image's). */
    serviceAccount: { email: string; scopes: string[] } | null;
  };
  adminUserIds: string[];
  orgTimeZone: string;
  demo: {
    ttlHours: number;
    maxTtlHours: number;
    readinessTimeoutSeconds: number;
    /** Lifecycle: nudge before expiry, Extend step, what expiry does, retention of stopped demos and saved images. */
    nudgeMinutes: number;
    extendHours: number;
    expiryPolicy: 'stop' | 'save_then_delete';
    retentionDays: number;
    imageRetentionDays: number;
    retentionNoticeDays: number;
    /** A running demo with no activity this long gets the idle warning; 10 min later it is suspended. */
    idleMinutes: number;
  };
  /** Image export to Cloud Storage: where to (an allow-list), how long download links last, where Cloud Build is. */
  exports: {
    defaultBucket?: string;
    buckets: string[];
    /** Asked for; V4 signed URLs last at most 7 days, so more is clamped (and the user is told). */
    signedUrlDays: number;
    /** How often a running export build is polled. */
    pollMs: number;
    cloudBuildEndpoint?: string;
    storageEndpoint?: string;
  };
  /** Share requests and comment threads; a channel left unset turns that part off (local mode has defaults). */
  sharing: {
    approvalsChannel: string | null;
    approverUserIds: string[];
    approverUsergroup: string | null;
    requestExpiryDays: number;
    /** Where each catalog image's comment thread lives. */
    catalogChannel: string | null;
    /** New comments on an image reach its owner in one DM per this many seconds. */
    commentDmBatchSeconds: number;
  };
  allowLocalWorkspaceWithRealGcp: boolean;
  /** On SIGTERM, how long running job steps get to reach a safe point before they are handed back. */
  shutdownGraceSeconds: number;
  /** Per-user defaults; admins override them per user (budgets table). */
  budget: { maxRunning: number; monthlyUsd: number };
  /** The warm pool: at most this many pool VMs in all, a monthly spending cap, and when a suspended one is made anew (GCE keeps a VM suspended ≤ 60 days). */
  pool: { maxVms: number; monthlyUsd: number; refreshDays: number };
  /** Where the worker reads list prices (the Cloud Billing Catalog API; `http://…` = a local fake). */
  prices: { billingEndpoint?: string };
  /** Where the worker reads the demo VMs' CPU and network series (Cloud Monitoring; `http://…` = a local fake; unset: GCE's emulator endpoint when that is `http://…`). */
  monitoring: { apiEndpoint?: string };
  crashAt?: string;
  contractLog?: string;
  /** Compressed time (benchmarks on the simulator): the app's clock runs `scale`× from `origin`. */
  time: { scale: number; origin: Date };
}

export class ConfigError extends Error {
  readonly problems: string[];
  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

const SIMULATED_PROJECT = 'demo-vm-local';
/** Google's recommended scope: access is then decided by the service account's IAM roles alone. */
const CLOUD_PLATFORM_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const DEFAULT_ZONES = ['us-central1-a', 'us-central1-b', 'europe-west1-b'];
const DEFAULT_MACHINE_TYPES = ['e2-medium', 'e2-standard-2', 'e2-standard-4', 'n2-standard-2'];

/** Variables that only make sense together, checked before types so every problem is listed at once. */
function presenceProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const has = (name: string) => env[name] !== undefined;
  // Slack: a bot token and a signing secret go together; an app token adds Socket Mode.
  const anySlack = has('SLACK_BOT_TOKEN') || has('SLACK_SIGNING_SECRET') || has('SLACK_APP_TOKEN');
  if (anySlack) {
    if (!has('SLACK_BOT_TOKEN')) problems.push('SLACK_BOT_TOKEN: missing (the other Slack variables are set; the bot token is required with them)');
    if (!has('SLACK_SIGNING_SECRET'))
      problems.push('SLACK_SIGNING_SECRET: missing (required with SLACK_BOT_TOKEN; find it under Basic Information in your Slack app)');
  }
  if (env.NODE_ENV === 'production') {
    if (!anySlack) problems.push('SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: required when NODE_ENV=production (no local workspace in production)');
    if (!has('DATABASE_URL')) problems.push('DATABASE_URL: required when NODE_ENV=production (embedded PGlite is for one local process)');
  }
  // A role alone shares its work with the other role's processes through PostgreSQL only.
  const role = env.ROLE;
  if ((role === 'web' || role === 'worker') && !has('DATABASE_URL'))
    problems.push(
      `DATABASE_URL: required with ROLE=${role} (the web and worker processes share PostgreSQL; embedded PGlite serves one process, so use ROLE=all)`,
    );
  if ((role === 'web' || role === 'worker') && !anySlack)
    problems.push(`SLACK_BOT_TOKEN, SLACK_SIGNING_SECRET: required with ROLE=${role} (the local workspace runs in one process: use ROLE=all)`);
  // The worker can ask Application Default Credentials; the web role never loads Google's libraries.
  if (role === 'web' && !has('GCP_PROJECT'))
    problems.push('GCP_PROJECT: required with ROLE=web (it never loads Google libraries, so it cannot ask Application Default Credentials as the worker does)');
  if (has('DEMO_SERVICE_ACCOUNT_SCOPES') && !has('DEMO_SERVICE_ACCOUNT'))
    problems.push('DEMO_SERVICE_ACCOUNT: missing (DEMO_SERVICE_ACCOUNT_SCOPES is set; scopes belong to a service account)');
  if (has('GCE_API_ENDPOINT') && !has('GCP_PROJECT')) problems.push('GCP_PROJECT: missing (GCE_API_ENDPOINT is set; say which project it serves)');
  return problems;
}

/** Parse and validate the environment; throws ConfigError listing every problem at once. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // Empty strings count as unset, as in most twelve-factor tooling.
  const cleaned = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const problems = presenceProblems(cleaned);
  const parsed = envSchema.safeParse(cleaned);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) problems.push(`${String(issue.path[0] ?? '(env)')}: ${issue.message}`);
  }
  if (!parsed.success || problems.length) throw new ConfigError(problems);
  const e = parsed.data;
  const anySlack = Boolean(e.SLACK_BOT_TOKEN || e.SLACK_SIGNING_SECRET || e.SLACK_APP_TOKEN);

  const zones = e.GCE_ALLOWED_ZONES ?? (e.GCP_ZONE ? [e.GCP_ZONE] : DEFAULT_ZONES);
  const defaultZone = e.GCP_ZONE ?? zones[0]!;
  if (!zones.includes(defaultZone)) problems.push(`GCP_ZONE: ${defaultZone} is not in GCE_ALLOWED_ZONES (${zones.join(', ')})`);
  const machineTypes = e.GCE_MACHINE_TYPES ?? DEFAULT_MACHINE_TYPES;
  const defaultMachineType = e.GCE_DEFAULT_MACHINE_TYPE ?? machineTypes[0]!;
  if (!machineTypes.includes(defaultMachineType)) {
    problems.push(`GCE_DEFAULT_MACHINE_TYPE: ${defaultMachineType} is not in GCE_MACHINE_TYPES (${machineTypes.join(', ')})`);
  }
  const exportBuckets = e.EXPORT_BUCKETS ?? (e.EXPORT_BUCKET ? [e.EXPORT_BUCKET] : []);
  if (e.EXPORT_BUCKET && !exportBuckets.includes(e.EXPORT_BUCKET))
    problems.push(`EXPORT_BUCKET: ${e.EXPORT_BUCKET} is not in EXPORT_BUCKETS (${exportBuckets.join(', ')})`);
  // They become static selects in the launch modal, which Slack caps at 100 options.
  if (zones.length > 100) problems.push(`GCE_ALLOWED_ZONES: at most 100 zones (got ${zones.length})`);
  if (machineTypes.length > 100) problems.push(`GCE_MACHINE_TYPES: at most 100 machine types (got ${machineTypes.length})`);
  if (e.DEMO_VM_TIME_SCALE !== 1 && e.GCP_PROJECT && !e.GCE_API_ENDPOINT?.startsWith('http://'))
    problems.push('DEMO_VM_TIME_SCALE: compressed time is for a simulated GCE only (GCE_API_ENDPOINT=http://…, or no GCP_PROJECT)');
  if (e.DEMO_TTL_HOURS > e.DEMO_MAX_TTL_HOURS) problems.push(`DEMO_TTL_HOURS: ${e.DEMO_TTL_HOURS} is above DEMO_MAX_TTL_HOURS (${e.DEMO_MAX_TTL_HOURS})`);
  if (problems.length) throw new ConfigError(problems);

  const slackMode: SlackMode = !anySlack ? 'local' : e.SLACK_APP_TOKEN ? 'socket' : 'http';
  // Without a project, only a production process or a worker goes to real GCP (never a laptop by surprise).
  const projectFromAdc = !e.GCP_PROJECT && (e.NODE_ENV === 'production' || e.ROLE === 'worker');
  const gceMode: GceMode = !e.GCP_PROJECT && !projectFromAdc ? 'simulator' : e.GCE_API_ENDPOINT?.startsWith('http://') ? 'emulator' : 'gce';
  const [labelKey, labelValue] = e.CATALOG_LABEL.split('=') as [string, string];

  return Object.freeze({
    env: e.NODE_ENV,
    role: e.ROLE,
    logLevel: e.LOG_LEVEL,
    port: e.PORT,
    // The local workspace has no login: loopback only unless a bind address is set explicitly.
    bindAddress: e.BIND_ADDRESS ?? (slackMode === 'local' ? '127.0.0.1' : '0.0.0.0'),
    localWorkspaceHosts: e.LOCAL_WORKSPACE_HOSTS,
    slack: {
      mode: slackMode,
      botToken: e.SLACK_BOT_TOKEN,
      signingSecret: e.SLACK_SIGNING_SECRET,
      appToken: e.SLACK_APP_TOKEN,
      apiUrl: e.SLACK_API_URL,
    },
    database: e.DATABASE_URL ? { kind: 'postgres', url: e.DATABASE_URL } : { kind: 'pglite', dataDir: e.DATA_DIR },
    gce: {
      mode: gceMode,
      project: e.GCP_PROJECT ?? (projectFromAdc ? '' : SIMULATED_PROJECT),
      projectFromAdc,
      defaultZone,
      zones,
      machineTypes,
      defaultMachineType,
      apiEndpoint: e.GCE_API_ENDPOINT,
      catalogLabel: { key: labelKey, value: labelValue },
      catalogSyncMinutes: e.CATALOG_SYNC_MINUTES,
      subnets: Object.fromEntries((e.GCE_SUBNETS ?? []).map((entry) => entry.split('=') as [string, string])),
      externalIp: e.GCE_EXTERNAL_IP,
      networkTags: e.GCE_NETWORK_TAGS,
      serviceAccount: e.DEMO_SERVICE_ACCOUNT ? { email: e.DEMO_SERVICE_ACCOUNT, scopes: e.DEMO_SERVICE_ACCOUNT_SCOPES ?? [CLOUD_PLATFORM_SCOPE] } : null,
    },
    adminUserIds: e.ADMIN_USER_IDS,
    orgTimeZone: e.ORG_TIME_ZONE,
    demo: {
      ttlHours: e.DEMO_TTL_HOURS,
      maxTtlHours: e.DEMO_MAX_TTL_HOURS,
      readinessTimeoutSeconds: e.READINESS_TIMEOUT_SECONDS,
      nudgeMinutes: e.DEMO_NUDGE_MINUTES,
      extendHours: e.DEMO_EXTEND_HOURS,
      expiryPolicy: e.DEMO_EXPIRY_POLICY,
      retentionDays: e.DEMO_RETENTION_DAYS,
      imageRetentionDays: e.IMAGE_RETENTION_DAYS,
      retentionNoticeDays: e.RETENTION_NOTICE_DAYS,
      idleMinutes: e.DEMO_IDLE_MINUTES,
    },
    exports: {
      defaultBucket: e.EXPORT_BUCKET ?? exportBuckets[0],
      buckets: exportBuckets,
      signedUrlDays: e.EXPORT_SIGNED_URL_DAYS,
      pollMs: e.EXPORT_POLL_MS,
      cloudBuildEndpoint: e.CLOUD_BUILD_API_ENDPOINT,
      storageEndpoint: e.STORAGE_API_ENDPOINT,
    },
    sharing: {
      // The local workspace has these channels; a real workspace must name its own.
      approvalsChannel: e.SHARE_APPROVALS_CHANNEL ?? (slackMode === 'local' ? 'C_APPROVALS' : null),
      approverUserIds: e.APPROVER_USER_IDS,
      approverUsergroup: e.APPROVER_USERGROUP ?? (slackMode === 'local' ? 'S_APPROVERS' : null),
      requestExpiryDays: e.SHARE_REQUEST_EXPIRY_DAYS,
      catalogChannel: e.CATALOG_CHANNEL ?? (slackMode === 'local' ? 'C_DEMOS' : null),
      commentDmBatchSeconds: e.COMMENT_DM_BATCH_SECONDS,
    },
    allowLocalWorkspaceWithRealGcp: e.ALLOW_LOCAL_WORKSPACE_WITH_REAL_GCP,
    shutdownGraceSeconds: e.SHUTDOWN_GRACE_SECONDS,
    budget: { maxRunning: e.BUDGET_MAX_RUNNING, monthlyUsd: e.BUDGET_MONTHLY_USD },
    pool: { maxVms: e.POOL_MAX_VMS, monthlyUsd: e.POOL_MONTHLY_BUDGET_USD, refreshDays: e.POOL_REFRESH_DAYS },
    prices: { billingEndpoint: e.BILLING_API_ENDPOINT },
    monitoring: { apiEndpoint: e.MONITORING_API_ENDPOINT },
    crashAt: e.DEMO_VM_CRASH_AT,
    contractLog: e.DEMO_VM_CONTRACT_LOG,
    time: { scale: e.DEMO_VM_TIME_SCALE, origin: e.DEMO_VM_TIME_ORIGIN ? new Date(e.DEMO_VM_TIME_ORIGIN) : new Date() },
  } satisfies Config) as Config;
}

/** A description safe to log: no tokens, no secrets, no database password. */
export function describeConfig(c: Config): Record<string, unknown> {
  return {
    env: c.env,
    role: c.role,
    slack: c.slack.mode,
    slackApi: c.slack.apiUrl ?? 'https://slack.com/api/',
    database: c.database.kind === 'postgres' ? redactUrl(c.database.url) : `pglite:${c.database.dataDir}`,
    gce: c.gce.mode,
    project: c.gce.project,
    zones: c.gce.zones,
    listen: `${c.bindAddress}:${c.port}`,
  };
}

export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
