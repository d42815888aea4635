import type { KnownBlock } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import type { SlackPoster } from '../platform/slack.ts';
import { UserError } from '../errors.ts';
import { shownName, userProfile } from '../platform/user-profiles.ts';

/**
 * The Slack side of a digest: joining the channel when needed, finding an earlier attempt's message by
 * its metadata, posting, and uploading the chart (no channel) and the CSV (into the thread). 429s are
 * retried by the WebClient itself after Retry-After (rejectRateLimitedCalls: false).
 */

export const DIGEST_EVENT = 'demo_vm_digest';

export interface DigestRef {
  subscription: string;
  /** ISO start of the period. */
  period: string;
}

export function slackError(err: unknown): string | undefined {
  return (err as { data?: { error?: string } }).data?.error;
}

export class ChannelAccessError extends UserError {}

/** Join a public channel the bot is not in; a private one needs an invitation from a person. */
export async function joinChannel(client: WebClient, channel: string): Promise<void> {
  try {
    await client.conversations.join({ channel });
  } catch (err) {
    const code = slackError(err);
    if (code === 'method_not_supported_for_channel_type' || code === 'channel_not_found' || code === 'is_archived') {
      throw new ChannelAccessError(
        code === 'is_archived'
          ? `<#${channel}> is archived, so I can't post digests there.`
          : `I can't join <#${channel}> (it is private, or I can't see it); usage digests go to public channels.`,
      );
    }
    throw err;
  }
}

/**
 * At subscribe time: make sure the bot can post there. Public channels are joined; private ones are
 * not supported (the app has no groups:* scope, see manifests/slack-app.yml).
 */
export async function ensureMember(client: WebClient, channel: string): Promise<void> {
  const privateChannel = new ChannelAccessError(`<#${channel}> is private (or I can't see it): usage digests go to public channels. Pick a public one.`);
  let info;
  try {
    info = (await client.conversations.info({ channel })).channel;
  } catch (err) {
    const code = slackError(err);
    if (code === 'channel_not_found' || code === 'missing_scope') throw privateChannel;
    throw err;
  }
  if (info?.is_private) throw privateChannel;
  if (info?.is_archived) throw new ChannelAccessError(`<#${channel}> is archived, so I can't post digests there.`);
  if (!info?.is_member) await joinChannel(client, channel);
}

/**
 * Run a call in a channel; when Slack says the bot is not in it, join (public channels) and retry
 * once. A channel that is gone or archived is a ChannelAccessError (the subscriber is told).
 */
export async function inChannel<T>(client: WebClient, channel: string, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (err) {
    const code = slackError(err);
    if (code === 'channel_not_found' || code === 'is_archived') {
      throw new ChannelAccessError(
        code === 'is_archived' ? `<#${channel}> is archived.` : `I can't find <#${channel}> any more (deleted, or private without me).`,
      );
    }
    if (code !== 'not_in_channel') throw err;
    await joinChannel(client, channel);
    return call();
  }
}

/** The digest an earlier attempt posted, if it is in the channel's recent history. */
export async function findDigestMessage(client: WebClient, opts: { channel: string; botId: string; ref: DigestRef; pages?: number }): Promise<string | null> {
  let cursor: string | undefined;
  for (let page = 0; page < (opts.pages ?? 5); page++) {
    const res = await inChannel(client, opts.channel, () =>
      client.conversations.history({ channel: opts.channel, limit: 200, include_all_metadata: true, cursor }),
    );
    for (const m of res.messages ?? []) {
      const payload = m.metadata?.event_payload as Partial<DigestRef> | undefined;
      if (
        m.metadata?.event_type === DIGEST_EVENT &&
        payload?.subscription === opts.ref.subscription &&
        payload.period === opts.ref.period &&
        m.ts &&
        (!m.bot_id || m.bot_id === opts.botId)
      ) {
        return m.ts;
      }
    }
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return null;
}

const IMAGE_RETRY_MS = [1_000, 2_000, 4_000];

/**
 * Post the digest with its metadata (a preview has none). A file uploaded moments ago may not be usable in an image block
 * yet (Slack finishes uploads asynchronously: invalid_blocks on slack_file); wait and retry, and in
 * the end post without the chart rather than not at all. invalid_blocks means nothing was posted.
 */
export async function postDigest(
  client: WebClient,
  poster: SlackPoster,
  opts: { channel: string; ref?: DigestRef; render: (chart: boolean) => { text: string; blocks: KnownBlock[] }; sleep?: (ms: number) => Promise<void> },
): Promise<string> {
  const sleep = opts.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms)));
  const post = (chart: boolean) =>
    inChannel(client, opts.channel, () =>
      poster.postMessage({
        channel: opts.channel,
        ...opts.render(chart),
        // A preview (no ref) carries no digest metadata: it must never be mistaken for the posted digest.
        ...(opts.ref ? { metadata: { event_type: DIGEST_EVENT, event_payload: { ...opts.ref } } } : {}),
        unfurl_links: false,
        unfurl_media: false,
      }),
    );
  for (const wait of [...IMAGE_RETRY_MS, null]) {
    try {
      return (await post(true)).ts!;
    } catch (err) {
      const errors = (err as { data?: { errors?: string[] } }).data?.errors ?? [];
      if (slackError(err) !== 'invalid_blocks' || !errors.some((e) => e.includes('slack_file'))) throw err;
      if (wait === null) break;
      await sleep(wait);
    }
  }
  return (await post(false)).ts!;
}

/** Upload the chart without a channel (so it posts no message of its own); returns its file id. */
export async function uploadChart(client: WebClient, png: Buffer, filename: string, altText: string): Promise<string> {
  const res = await client.filesUploadV2({ file: png, filename, title: altText, alt_text: altText });
  const id = res.files[0]?.files?.[0]?.id;
  if (!id) throw new Error('files.completeUploadExternal returned no file id');
  return id;
}

/** Attach the CSV as a reply in the digest's thread, once: an earlier attempt's upload is looked for first. */
export async function attachCsvOnce(
  client: WebClient,
  poster: SlackPoster,
  opts: { channel: string; threadTs: string; filename: string; csv: string; comment: string },
): Promise<void> {
  const replies = await client.conversations.replies({ channel: opts.channel, ts: opts.threadTs, limit: 200 });
  if (replies.messages?.some((m) => m.files?.some((f) => f.name === opts.filename))) return;
  await poster.once((c) =>
    c.filesUploadV2({
      content: opts.csv,
      filename: opts.filename,
      title: opts.filename,
      channel_id: opts.channel,
      thread_ts: opts.threadTs,
      initial_comment: opts.comment,
    }),
  );
}

/** Real names for the chart (mentions do not render inside a PNG); the id when Slack does not say. */
export async function displayNames(deps: Parameters<typeof userProfile>[0], userIds: string[]): Promise<Map<string, string>> {
  const names = await Promise.all(userIds.map(async (id) => [id, shownName(await userProfile(deps, id)) ?? id] as const));
  return new Map(names);
}
