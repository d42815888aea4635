import { argBool, argString } from './http-body.ts';
import { content } from './methods/chat.ts';
import type { Workspace } from './store/workspace.ts';
import type { Args, JsonObject } from './types.ts';

export interface ResponseUrlAnswer {
  status: number;
  body: JsonObject;
}

/**
 * A POST to a response_url: { text, blocks, response_type, replace_original, delete_original, thread_ts }.
 * Ephemeral unless response_type is in_channel; replace/delete act on the message the interaction came from.
 */
export function answerResponseUrl(ws: Workspace, path: string, payload: Args): ResponseUrlAnswer {
  const grant = ws.grants.useResponseUrl(path);
  if (typeof grant === 'string') return { status: 404, body: { ok: false, error: grant } };
  const original = grant.messageTs;

  if (argBool(payload, 'delete_original')) {
    if (original === undefined) return { status: 404, body: { ok: false, error: 'message_not_found' } };
    if (grant.isEphemeral) {
      for (const e of ws.messages.ephemerals) if (e.ts === original && e.user === grant.user) e.deleted = true;
    } else {
      ws.messages.delete(grant.channel, original);
    }
    return { status: 200, body: { ok: true } };
  }

  const checked = content(payload);
  if ('refusal' in checked) return { status: 400, body: checked.refusal };
  const body = checked.content;
  const threadTs = argString(payload, 'thread_ts') ?? grant.threadTs;

  if (argBool(payload, 'replace_original') && original !== undefined) {
    if (grant.isEphemeral) {
      for (const e of ws.messages.ephemerals) if (e.ts === original && e.user === grant.user) e.deleted = true;
      ws.messages.addEphemeral({ channel: grant.channel, user: grant.user, ts: original, ...body, source: 'response_url' });
    } else {
      const edit = { text: body.text, ...(body.blocks ? { blocks: body.blocks } : {}) };
      if (!ws.messages.update(grant.channel, original, edit, ws.identity.botUserId)) {
        return { status: 404, body: { ok: false, error: 'message_not_found' } };
      }
    }
    return { status: 200, body: { ok: true } };
  }

  if (argString(payload, 'response_type') === 'in_channel') {
    const id = ws.identity;
    const posted = ws.messages.post(grant.channel, {
      ...body,
      user: id.botUserId,
      bot_id: id.botId,
      app_id: id.appId,
      team: id.teamId,
      thread_ts: threadTs,
    });
    if (typeof posted === 'string') return { status: 404, body: { ok: false, error: posted } };
    return { status: 200, body: { ok: true } };
  }

  ws.messages.addEphemeral({ channel: grant.channel, user: grant.user, ...body, thread_ts: threadTs, source: 'response_url' });
  return { status: 200, body: { ok: true } };
}
