import type { Transaction } from 'kysely';
import type { Db } from '../platform/db.ts';
import type { Database } from '../platform/db-schema.ts';

export interface AuditEntry {
  at: Date;
  actorId: string;
  /** `<resource>.<verb>`, e.g. demo.stop, image.share.approve. */
  action: string;
  resourceKind: string;
  resourceId: string;
  before?: unknown;
  after?: unknown;
  requestId?: string | null;
}

/** One line of the audit log, written in the transaction of the change it describes. */
export async function recordAudit(db: Db | Transaction<Database>, e: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      at: e.at,
      actor_id: e.actorId,
      action: e.action,
      resource_kind: e.resourceKind,
      resource_id: e.resourceId,
      before: e.before === undefined || e.before === null ? null : JSON.stringify(e.before),
      after: e.after === undefined || e.after === null ? null : JSON.stringify(e.after),
      request_id: e.requestId ?? null,
    })
    .execute();
}

export interface AuditRow {
  at: Date;
  actorId: string;
  action: string;
  resourceKind: string;
  resourceId: string;
  before: unknown;
  after: unknown;
}

export type AuditFilter = { kind: 'all' } | { kind: 'actor'; userId: string } | { kind: 'resource'; resourceIds: string[] };

/** Newest first; indexed by actor or by resource. */
export async function listAudit(db: Db, filter: AuditFilter, limit: number): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').select(['at', 'actor_id', 'action', 'resource_kind', 'resource_id', 'before', 'after']);
  if (filter.kind === 'actor') q = q.where('actor_id', '=', filter.userId);
  if (filter.kind === 'resource') q = q.where('resource_id', 'in', filter.resourceIds.length ? filter.resourceIds : ['-']);
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({
    at: r.at,
    actorId: r.actor_id,
    action: r.action,
    resourceKind: r.resource_kind,
    resourceId: r.resource_id,
    before: r.before,
    after: r.after,
  }));
}
