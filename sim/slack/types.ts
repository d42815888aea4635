/** Shapes of the fake Slack's state. Field names follow Slack's wire format so they can be returned as-is. */

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** Method arguments after decoding: JSON-encoded form fields (blocks, view, …) are parsed. */
export type Args = Record<string, unknown>;

export interface FakeUser {
  id: string;
  name: string;
  real_name: string;
  tz: string;
  title?: string;
  email?: string;
  is_admin?: boolean;
  is_bot?: boolean;
  deleted?: boolean;
}

export interface FakeChannel {
  id: string;
  name: string;
  is_private: boolean;
  is_im: boolean;
  /** The other party of an IM. */
  user?: string;
  created: number;
  /** Whether the bot user is a member (public channels need it to post unless chat:write.public). */
  botMember: boolean;
}

export interface MessageMetadata {
  event_type: string;
  event_payload: JsonObject;
}

export interface StoredMessage {
  type: 'message';
  channel: string;
  ts: string;
  text: string;
  user?: string;
  bot_id?: string;
  app_id?: string;
  team?: string;
  subtype?: string;
  blocks?: JsonObject[];
  attachments?: JsonObject[];
  thread_ts?: string;
  reply_count?: number;
  reply_users?: string[];
  latest_reply?: string;
  metadata?: MessageMetadata;
  edited?: { user: string; ts: string };
  files?: JsonObject[];
  /** chat.postMessage's username / icon_url (or icon_emoji): the name and picture shown instead of the app's. */
  username?: string;
  icons?: { image_48?: string; emoji?: string };
}

export interface StoredEphemeral {
  channel: string;
  user: string;
  /** message_ts as returned by chat.postEphemeral. */
  ts: string;
  text: string;
  blocks?: JsonObject[];
  attachments?: JsonObject[];
  thread_ts?: string;
  source: 'chat.postEphemeral' | 'response_url' | 'command_ack';
  deleted?: boolean;
}

export interface StoredView {
  id: string;
  team_id: string;
  type: 'modal' | 'home';
  /** Who sees it. Not part of Slack's view object; stripped from API output. */
  user: string;
  title?: JsonObject;
  submit?: JsonObject | null;
  close?: JsonObject | null;
  blocks: JsonObject[];
  private_metadata: string;
  callback_id: string;
  state: { values: JsonObject };
  hash: string;
  clear_on_close: boolean;
  notify_on_close: boolean;
  root_view_id: string;
  previous_view_id: string | null;
  app_id: string;
  external_id: string;
  app_installed_team_id: string;
  bot_id: string;
  /** Modals leave the stack when closed; kept for assertions. */
  closed?: boolean;
}

export interface StoredFile {
  id: string;
  filename: string;
  length: number;
  title?: string;
  alt_text?: string;
  uploaded?: { bytes: number; contentType: string };
  completed: boolean;
  channel?: string;
}

/** One Web API call as the fake saw it. */
export interface CallRecord {
  method: string;
  args: Args;
  at: Date;
  status: number;
  response: JsonObject;
}

export interface Identity {
  teamId: string;
  teamName: string;
  teamDomain: string;
  botUserId: string;
  botId: string;
  appId: string;
  botName: string;
  token: string;
  /** The deprecated verification token Slack still puts in payloads. */
  verificationToken: string;
}

/** Everything the fake announces; a local workspace page can subscribe to render live. */
export interface FakeSlackEvents {
  call: [CallRecord];
  message_posted: [StoredMessage];
  message_updated: [StoredMessage, StoredMessage];
  message_deleted: [StoredMessage];
  ephemeral_posted: [StoredEphemeral];
  view_opened: [StoredView];
  view_pushed: [StoredView];
  view_updated: [StoredView];
  view_published: [StoredView];
  file_uploaded: [StoredFile];
  /** A request held unanswered in hang mode (its URL). */
  request_held: [string];
  /** A connection reset in refuse mode (the request's URL). */
  request_refused: [string];
}
