import { randomUUID } from 'node:crypto';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { childLogger, traceFields, type Logger } from './log.ts';
import { metrics, secondsSince } from './metrics.ts';
import type { TraceHeaders } from './slack.ts';

/** What every Slack request gets before its listener: an id, a logger, its timing; and its ack timed. */

interface SlackBody {
  type?: string;
  command?: string;
  user_id?: string;
  user?: { id?: string } | string;
  team_id?: string;
  team?: { id?: string } | null;
  channel_id?: string;
  channel?: { id?: string };
  event?: { type?: string; user?: string; channel?: string };
  actions?: Array<{ action_id?: string }>;
  view?: { callback_id?: string };
  action_id?: string;
}

const INTERACTION_KINDS = new Set(['block_actions', 'view_submission', 'view_closed', 'block_suggestion', 'shortcut', 'message_action']);

function requestKind(body: SlackBody): string {
  if (typeof body.command === 'string') return 'command';
  if (body.type === 'event_callback') return 'event';
  return body.type && INTERACTION_KINDS.has(body.type) ? body.type : 'other';
}

/** Who and what a request is about, for its log lines (ids only: never message text). */
function requestFields(body: SlackBody): Record<string, string | undefined> {
  const user = typeof body.user === 'string' ? body.user : (body.user?.id ?? body.user_id ?? body.event?.user);
  return {
    userId: user,
    teamId: body.team_id ?? body.team?.id ?? undefined,
    channelId: body.channel_id ?? body.channel?.id ?? body.event?.channel,
    command: body.command,
    event: body.event?.type,
    actionId: body.actions?.[0]?.action_id ?? body.action_id,
    callbackId: body.view?.callback_id,
  };
}

/**
 * Bolt global middleware, registered before any listener: per Slack request a request id and a
 * logger that carries it (context.requestId, context.log), the handling time by kind and outcome,
 * and one log line. The ack is the HTTP response: timeAcks measures it at the server.
 */
export function requestMiddleware(log: Logger, traceProject: string): Middleware<AnyMiddlewareArgs> {
  return async ({ context, body, next }) => {
    const started = performance.now();
    // The HTTP receiver names the request first (its refusals and failures are logged with the id).
    const requestId = typeof context['requestId'] === 'string' ? context['requestId'] : randomUUID();
    const kind = requestKind(body as SlackBody);
    const trace = traceFields((context['traceHeaders'] as TraceHeaders | undefined) ?? {}, traceProject);
    const requestLog = childLogger(log, { requestId, kind, ...trace });
    context['requestId'] = requestId;
    context['log'] = requestLog;
    let failed = false;
    try {
      await next();
    } catch (err) {
      failed = true;
      throw err; // the app's error handler turns it into words for the user
    } finally {
      const seconds = secondsSince(started);
      metrics.slackRequestSeconds.observe({ kind, outcome: failed ? 'error' : 'ok' }, seconds);
      requestLog.debug({ ...requestFields(body as SlackBody), durationMs: Math.round(seconds * 1000), failed }, 'slack request');
    }
  };
}

/**
 * The ack of a Slack request is the HTTP response to it: time each response of the Slack endpoint
 * from the request's arrival to its last byte, by kind of request when the listener says it.
 */
export function timeAcks(server: Server, endpoint: string): void {
  server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => {
    if (req.method !== 'POST' || req.url?.split('?')[0] !== endpoint) return;
    const started = performance.now();
    res.once('finish', () => metrics.slackAckSeconds.observe({ status: String(res.statusCode) }, secondsSince(started)));
  });
}
