import type { KnownBlock } from '@slack/types';
import type { AppContext } from '../context.ts';
import { can } from '../policy.ts';
import { renderStatus } from './status.ts';
import { toDemo } from './store.ts';

/**
 * A demo's Cloud Console link, pasted into Slack, unfurls as its status card (link_shared → chat.unfurl),
 * read-only since the whole channel sees it, and only when the person who shared it may see the demo.
 */

const CONSOLE_HOST = 'console.cloud.google.com';
const INSTANCE_PATH = /^\/compute\/instancesDetail\/zones\/([a-z][a-z0-9-]{0,62})\/instances\/([a-z][a-z0-9-]{0,62})\/?$/;
/** Slack sends a handful of links per message; more than this is not a person sharing a demo. */
const MAX_LINKS = 5;

export interface ConsoleInstance {
  project: string;
  zone: string;
  instance: string;
}

/** https://console.cloud.google.com/compute/instancesDetail/zones/Z/instances/N?project=P, or null. */
export function parseConsoleUrl(url: string): ConsoleInstance | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  const m = u.protocol === 'https:' && u.hostname === CONSOLE_HOST ? INSTANCE_PATH.exec(u.pathname) : null;
  const project = u.searchParams.get('project');
  return m && project ? { project, zone: m[1]!, instance: m[2]! } : null;
}

/** The unfurls (url → status card) for the links of our project's demos that `viewerId` may see. */
export async function consoleUnfurls(ctx: AppContext, viewerId: string, urls: string[]): Promise<Record<string, { blocks: KnownBlock[] }>> {
  const actor = await ctx.actor(viewerId);
  const unfurls: Record<string, { blocks: KnownBlock[] }> = {};
  for (const url of [...new Set(urls)].slice(0, MAX_LINKS)) {
    const target = parseConsoleUrl(url);
    if (!target || target.project !== ctx.config.gce.project) continue;
    const row = await ctx.db
      .selectFrom('demos')
      .selectAll()
      .where('instance_name', '=', target.instance)
      .where('zone', '=', target.zone)
      .orderBy('created_at', 'desc')
      .limit(1)
      .executeTakeFirst();
    if (!row || !can(actor, 'view', { kind: 'demo', ownerId: row.owner_id }).allowed) continue;
    unfurls[url] = { blocks: (await renderStatus(ctx, toDemo(row), { readOnly: true })).blocks };
  }
  return unfurls;
}
