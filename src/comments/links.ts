/**
 * A message link from the workspace URL auth.test gave (https://team.slack.com/), without a Web API
 * call per view (chat.getPermalink would be one). A reply's link opens its thread.
 */
export function archiveUrl(workspaceUrl: string, channel: string, ts: string, threadTs?: string): string {
  const base = `${workspaceUrl.replace(/\/+$/, '')}/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}

/** A thread pointer still being created holds a claim token, not a message ts. */
export const THREAD_CLAIM_PREFIX = 'creating:';

export function isPostedThread(ts: string | null): ts is string {
  return ts !== null && !ts.startsWith(THREAD_CLAIM_PREFIX);
}
