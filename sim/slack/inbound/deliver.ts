import { MAX_REQUEST_AGE_SEC, signedHeaders } from '../signing.ts';
import type { SlackRequest } from './common.ts';

/** How the request is signed: correctly, not at all, with the wrong secret, or with a > 5 min old timestamp. */
export type SignatureMode = 'valid' | 'none' | 'wrong' | 'stale';

export interface DeliverOptions {
  signingSecret: string;
  signature?: SignatureMode;
  /** Override the request timestamp (seconds). */
  timestampSec?: number;
  /** Slack's redelivery headers: X-Slack-Retry-Num and X-Slack-Retry-Reason (e.g. http_timeout). */
  retryNum?: number;
  retryReason?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** POST a Slack request to the app's Request URL (e.g. http://127.0.0.1:PORT/slack/events) as Slack would. */
export async function deliver(receiverUrl: string, request: SlackRequest<unknown>, opts: DeliverOptions): Promise<Response> {
  const mode = opts.signature ?? 'valid';
  const now = Math.floor(Date.now() / 1000);
  const timestamp = opts.timestampSec ?? (mode === 'stale' ? now - MAX_REQUEST_AGE_SEC - 60 : now);
  const headers: Record<string, string> = {
    'content-type': request.contentType,
    'user-agent': 'Slackbot 1.0 (+https://api.slack.com/robots)',
    ...opts.headers,
  };
  if (mode !== 'none') {
    const secret = mode === 'wrong' ? `${opts.signingSecret}-wrong` : opts.signingSecret;
    Object.assign(headers, signedHeaders(secret, request.body, timestamp));
  }
  if (opts.retryNum !== undefined) {
    headers['x-slack-retry-num'] = String(opts.retryNum);
    headers['x-slack-retry-reason'] = opts.retryReason ?? 'http_timeout';
  }
  const init: RequestInit = { method: 'POST', headers, body: request.body };
  if (opts.signal) init.signal = opts.signal;
  return fetch(receiverUrl, init);
}
