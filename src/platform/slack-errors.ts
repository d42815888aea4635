import type { App } from '@slack/bolt';
import { failureMessage, newErrorId, UserError } from '../errors.ts';
import type { Logger } from './log.ts';
import type { SlackPoster } from './slack.ts';
import { postToResponseUrl } from './slack-messages.ts';
import { noteRequestFailure } from './request-scope.ts';

interface ErrorSurface {
  user?: { id?: string } | string;
  user_id?: string;
  channel?: { id?: string };
  channel_id?: string;
  response_url?: string;
  response_urls?: Array<{ response_url: string }>;
  type?: string;
  container?: { type?: string; is_ephemeral?: boolean };
  message?: { ts?: string; thread_ts?: string };
}

/**
 * The one place a failure becomes words: a UserError's own sentence, or an apology with an error id
 * that is also in the log line. Always ephemeral, to the person who acted.
 */
export function registerErrorHandler(bolt: App, poster: SlackPoster, log: Logger): void {
  // Bolt's index does not export the extended handler's argument type; this is its shape.
  type Args = { error: Error; body: unknown; context: { log?: Logger } };
  const handler = async ({ error, body, context }: Args) => {
    const original = (error as { original?: unknown }).original ?? error;
    noteRequestFailure(original);
    const surface = (body ?? {}) as ErrorSurface;
    let text: string;
    if (original instanceof UserError) {
      text = original.message;
    } else {
      const errorId = newErrorId();
      (context.log ?? log).error({ err: original, errorId, requestType: surface.type, user: userIdOf(surface) }, 'request failed');
      text = failureMessage(original, errorId);
    }
    await tellUser(poster, surface, text, log);
  };
  bolt.error(handler as unknown as Parameters<App['error']>[0]);
}

function userIdOf(s: ErrorSurface): string | undefined {
  if (typeof s.user === 'string') return s.user;
  return s.user?.id ?? s.user_id;
}

/**
 * A click on a channel message: the channel itself, or the thread when the message is a reply. A
 * response_url would follow the message into its thread once it has replies (a share request under
 * discussion), away from where the user clicked.
 */
function clickedIn(s: ErrorSurface, user: string | undefined): { channel: string; user: string; thread_ts?: string } | null {
  const channel = s.channel?.id;
  if (s.type !== 'block_actions' || s.container?.type !== 'message' || s.container.is_ephemeral || !channel || !user || !s.message?.ts) return null;
  const reply = s.message.thread_ts !== undefined && s.message.thread_ts !== s.message.ts;
  return { channel, user, ...(reply ? { thread_ts: s.message.thread_ts } : {}) };
}

async function tellUser(poster: SlackPoster, s: ErrorSurface, text: string, log: Logger): Promise<void> {
  try {
    const clicked = clickedIn(s, userIdOf(s));
    if (
      clicked &&
      (await poster.postEphemeral({ ...clicked, text }).then(
        () => true,
        () => false,
      ))
    )
      return;
    const responseUrl = s.response_url ?? s.response_urls?.[0]?.response_url;
    if (responseUrl && (await postToResponseUrl(responseUrl, { response_type: 'ephemeral', replace_original: false, text }))) return;
    const user = userIdOf(s);
    if (!user) return;
    const channel = s.channel?.id ?? s.channel_id;
    if (channel) {
      await poster.postEphemeral({ channel, user, text }).catch(() => poster.postMessage({ channel: user, text }));
    } else {
      await poster.postMessage({ channel: user, text });
    }
  } catch (err) {
    log.warn({ err }, 'could not tell the user about an error');
  }
}
