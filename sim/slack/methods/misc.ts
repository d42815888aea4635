import { argInt, argString } from '../http-body.ts';
import { randomId } from '../ids.ts';
import type { JsonObject, StoredFile } from '../types.ts';
import { accessChannel, fail, type MethodContext, type MethodHandler } from './context.ts';

const authTest: MethodHandler = (ctx) => {
  const id = ctx.ws.identity;
  return {
    ok: true,
    url: `${ctx.baseUrl}/`,
    team: id.teamName,
    user: id.botName,
    team_id: id.teamId,
    user_id: id.botUserId,
    bot_id: id.botId,
    is_enterprise_install: false,
  };
};

const usersInfo: MethodHandler = (ctx) => {
  const user = ctx.ws.directory.users.get(argString(ctx.args, 'user') ?? '');
  if (!user) return fail('user_not_found');
  return { ok: true, user: ctx.ws.directory.userInfo(user, ctx.ws.identity.teamId) as JsonObject };
};

const usergroupUsers: MethodHandler = (ctx) => {
  const users = ctx.ws.directory.usergroups.get(argString(ctx.args, 'usergroup') ?? '');
  if (!users) return fail('no_such_subteam');
  return { ok: true, users: [...users] };
};

/** Step 1 of the external upload: a file id and a URL on the fake's own server to POST the bytes to. */
const getUploadUrl: MethodHandler = (ctx) => {
  const filename = argString(ctx.args, 'filename');
  const length = argInt(ctx.args, 'length', -1);
  if (!filename || length < 0) {
    return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] filename and length are required'] } });
  }
  const file: StoredFile = { id: randomId('F'), filename, length, completed: false };
  const altText = argString(ctx.args, 'alt_text');
  if (altText !== undefined) file.alt_text = altText;
  ctx.ws.files.set(file.id, file);
  return { ok: true, upload_url: `${ctx.baseUrl}/upload/v1/${file.id}`, file_id: file.id };
};

/** Step 3: finish uploaded files; with a channel this posts a message of its own, as Slack does. */
const completeUpload: MethodHandler = (ctx) => {
  const list = ctx.args['files'];
  if (!Array.isArray(list) || list.length === 0) {
    return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] files is required'] } });
  }
  const files: StoredFile[] = [];
  for (const entry of list as JsonObject[]) {
    const file = ctx.ws.files.get(String(entry['id'] ?? ''));
    if (!file?.uploaded) return fail('file_not_found');
    if (typeof entry['title'] === 'string') file.title = entry['title'];
    files.push(file);
  }
  const channelId = argString(ctx.args, 'channel_id');
  let channel: string | undefined;
  if (channelId !== undefined && channelId !== '') {
    const access = accessChannel(ctx, channelId, { write: true });
    if (typeof access === 'string') return fail(access);
    channel = access.id;
  }
  for (const file of files) {
    file.completed = true;
    if (channel !== undefined) file.channel = channel;
  }
  const out = files.map((f) => fileObject(ctx, f));
  if (channel !== undefined) {
    const id = ctx.ws.identity;
    const posted = ctx.ws.messages.post(channel, {
      text: argString(ctx.args, 'initial_comment') ?? '',
      subtype: 'file_share',
      user: id.botUserId,
      bot_id: id.botId,
      app_id: id.appId,
      team: id.teamId,
      files: out,
      thread_ts: argString(ctx.args, 'thread_ts'),
    });
    if (typeof posted === 'string') return fail(posted);
  }
  for (const file of files) ctx.ws.events.emit('file_uploaded', file);
  return { ok: true, files: out };
};

export function fileObject(ctx: MethodContext, f: StoredFile): JsonObject {
  const url = `${ctx.baseUrl}/files/${f.id}/${encodeURIComponent(f.filename)}`;
  const ext = f.filename.includes('.') ? (f.filename.split('.').pop() ?? '') : '';
  return {
    id: f.id,
    name: f.filename,
    title: f.title ?? f.filename,
    mimetype: f.uploaded?.contentType ?? 'application/octet-stream',
    filetype: ext,
    user: ctx.ws.identity.botUserId,
    size: f.uploaded?.bytes ?? f.length,
    mode: 'hosted',
    is_external: false,
    is_public: f.channel !== undefined,
    url_private: url,
    url_private_download: `${url}?download=1`,
    permalink: `${ctx.baseUrl}/files/${ctx.ws.identity.botUserId}/${f.id}`,
    channels: f.channel !== undefined && f.channel.startsWith('C') ? [f.channel] : [],
    groups: f.channel !== undefined && f.channel.startsWith('G') ? [f.channel] : [],
    ims: f.channel !== undefined && f.channel.startsWith('D') ? [f.channel] : [],
    alt_txt: f.alt_text ?? '',
  };
}

export const miscMethods: Record<string, MethodHandler> = {
  'auth.test': authTest,
  'users.info': usersInfo,
  'usergroups.users.list': usergroupUsers,
  'files.getUploadURLExternal': getUploadUrl,
  'files.completeUploadExternal': completeUpload,
};
