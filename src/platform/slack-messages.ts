import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';

/**
 * Post a message exactly once, even across crashes: it carries metadata naming what it is about, and
 * before posting we look for that metadata in the channel's recent history. (chat.postMessage has no
 * idempotency key.)
 */
export async function postOnce(
  client: WebClient,
  opts: { channel: string; eventType: string; key: string; text: string; blocks: KnownBlock[]; searchDepth?: number },
): Promise<{ channel: string; ts: string }> {
  const channel = opts.channel.startsWith('U') || opts.channel.startsWith('W') ? await openDm(client, opts.channel) : opts.channel;
  const history = await client.conversations.history({ channel, limit: opts.searchDepth ?? 50, include_all_metadata: true });
  const found = history.messages?.find(
    (m) => m.metadata?.event_type === opts.eventType && (m.metadata?.event_payload as { key?: string } | undefined)?.key === opts.key,
  );
  if (found?.ts) return { channel, ts: found.ts };
  const res = await client.chat.postMessage({
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
