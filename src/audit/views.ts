import type { KnownBlock } from '@slack/types';
import { context, escapeMrkdwn, section, slackDate, truncate } from '../platform/blocks.ts';
import type { AuditRow } from './store.ts';

function change(before: unknown, after: unknown): string {
  const show = (v: unknown) => (v === null || v === undefined ? '∅' : escapeMrkdwn(truncate(JSON.stringify(v), 140)));
  return `${show(before)} → ${show(after)}`;
}

/** The audit report: one context line per entry; a message holds at most 50 blocks. */
export function auditBlocks(title: string, rows: AuditRow[]): { text: string; blocks: KnownBlock[] } {
  const blocks: KnownBlock[] = [section(`*Audit log — ${escapeMrkdwn(title)}* (latest ${rows.length})`)];
  if (!rows.length) blocks.push(context('Nothing recorded yet.'));
  for (const r of rows.slice(0, 45)) {
    blocks.push(
      context(
        `${slackDate(r.at)} · <@${r.actorId}> · \`${escapeMrkdwn(r.action)}\` on ${r.resourceKind} \`${escapeMrkdwn(truncate(r.resourceId, 60))}\``,
        change(r.before, r.after),
      ),
    );
  }
  return { text: `Audit log — ${escapeMrkdwn(title)}: ${rows.length} entries`, blocks };
}
