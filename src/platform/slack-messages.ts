import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { SlackPoster } from './slack.ts';

/**
 * Post a message exactly once, even across crashes: it carries metadata naming what it is about, and
 * before posting we look for that metadata in the channel's recent history. (chat.postMessage has no
 * idempotency key.)
 */
export async function postOnce(
  client: WebClient,
  poster: SlackPoster,
  opts: { channel: string; eventType: string; key: string; text: string; blocks: KnownBlock[]; searchDepth?: number },
): Promise<{ channel: string; ts: string }> {
  const channel = opts.channel.startsWith('U') || opts.channel.startsWith('W') ? await openDm(client, opts.channel) : opts.channel;
  const history = await client.conversations.history({ channel, limit: opts.searchDepth ?? 50, include_all_metadata: true });
  const found = history.messages?.find(
    (m) => m.metadata?.event_type === opts.eventType && (m.metadata?.event_payload as { key?: string } | undefined)?.key === opts.key,
  );
  if (found?.ts) return { channel, ts: found.ts };
  const res = await poster.postMessage({
    channel,
    text: opts.text,
    blocks: opts.blocks,
    metadata: { event_type: opts.eventType, event_payload: { key: opts.key } },
    unfurl_links: false,
  });
  return { channel: res.channel ?? channel, ts: res.ts! };
}

export async function openDm(client: WebClient, userId: string): Promise<string> {
  const res = await client.conversations.open({ users: userId });
  return res.channel!.id!;
}

/** How long a post to a response_url may take: it is a plain HTTPS call, not the Web API. */
const RESPONSE_URL_TIMEOUT_MS = 5_000;

/**
 * Answer ephemerally where the user acted (a command's or a click's response_url, valid 30 minutes
 * for five answers), or in their DM when there is none or it no longer takes answers.
 */
export async function replyWhereAsked(
  poster: SlackPoster,
  to: { responseUrl?: string; userId: string },
  message: { text: string; blocks?: KnownBlock[] },
): Promise<void> {
  if (to.responseUrl && (await postToResponseUrl(to.responseUrl, { response_type: 'ephemeral', replace_original: false, ...message }))) return;
  await poster.postMessage({ channel: to.userId, ...message });
}

/** POST to a response_url; false when it refused or did not answer (expired, used up, unreachable). */
export async function postToResponseUrl(url: string, body: object): Promise<boolean> {
  try {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(RESPONSE_URL_TIMEOUT_MS),
    });
    await res.arrayBuffer(); // read it all, so the connection goes back to the pool
    return res.ok;
  } catch {
    return false;
  }
}

/**
 * A message link from the workspace URL auth.test gave (https://team.slack.com/), without a Web API
 * call per view (chat.getPermalink would be one). A reply's link opens its thread.
 */
export function archiveUrl(workspaceUrl: string, channel: string, ts: string, threadTs?: string): string {
  const base = `${workspaceUrl.replace(/\/+$/, '')}/archives/${channel}/p${ts.replace('.', '')}`;
  return threadTs && threadTs !== ts ? `${base}?thread_ts=${threadTs}&cid=${channel}` : base;
}
