/**
 * Slash commands and interaction payloads exactly as Slack sends them, built from the fake's state:
 * trigger_ids and response_urls are issued by the fake, and clicks find their element in the message
 * or view the app really sent (a click on a button that is not there is an error in the test).
 */
import { publicView } from '../store/views.ts';
import type { FakeSlack } from '../server.ts';
import type { JsonObject, StoredView } from '../types.ts';
import { interactionRequest, nowTs, resolveChannel, teamObject, userObject, type SlackRequest } from './common.ts';
import { actionPayload, findElement, initialStateValues, stateValues, type Choice } from './elements.ts';

export interface SlashCommandInput {
  user?: string;
  /** Channel id, or a user id for the app's DM with them. */
  channel?: string;
  command?: string;
  text?: string;
}

export function slashCommand(fake: FakeSlack, input: SlashCommandInput = {}): SlackRequest<Record<string, string>> {
  const user = input.user ?? 'U_ALICE';
  const channel = resolveChannel(fake, input.channel ?? 'C_DEMOS');
  const id = fake.identity;
  const triggerId = fake.issueTriggerId(user);
  const responseUrl = fake.issueResponseUrl(channel.id, user, { kind: 'commands' });
  const fields: Record<string, string> = {
    token: id.verificationToken,
    team_id: id.teamId,
    team_domain: id.teamDomain,
    channel_id: channel.id,
    channel_name: channel.is_im ? 'directmessage' : channel.name,
    user_id: user,
    user_name: fake.workspace.directory.users.get(user)?.name ?? user,
    command: input.command ?? '/demo',
    text: input.text ?? '',
    api_app_id: id.appId,
    is_enterprise_install: 'false',
    response_url: responseUrl,
    trigger_id: triggerId,
  };
  const body = new URLSearchParams(fields).toString();
  return { kind: 'command', contentType: 'application/x-www-form-urlencoded', body, payload: fields, triggerId, responseUrl };
}

/** A global shortcut, picked from Slack's shortcut menu (⚡ or the composer's `/`). */
export function globalShortcut(fake: FakeSlack, input: { user?: string; callbackId: string }): SlackRequest {
  const user = input.user ?? 'U_ALICE';
  const id = fake.identity;
  const triggerId = fake.issueTriggerId(user);
  const { name: _name, ...who } = userObject(fake, user);
  const payload: JsonObject = {
    type: 'shortcut',
    token: id.verificationToken,
    action_ts: nowTs(),
    team: teamObject(fake),
    user: who,
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId,
    trigger_id: triggerId,
  };
  return interactionRequest(payload, { triggerId });
}

/** A message shortcut, picked from a message's "More actions" menu. */
export function messageShortcut(fake: FakeSlack, input: { user?: string; callbackId: string; channel: string; messageTs: string }): SlackRequest {
  const user = input.user ?? 'U_ALICE';
  const id = fake.identity;
  const channel = resolveChannel(fake, input.channel);
  const message = fake.message(channel.id, input.messageTs);
  if (!message) throw new Error(`fake Slack: no message ${input.messageTs} in ${channel.id}`);
  const triggerId = fake.issueTriggerId(user);
  const responseUrl = fake.issueResponseUrl(channel.id, user, { kind: 'actions', messageTs: message.ts, threadTs: message.thread_ts });
  const { channel: _c, ...wire } = structuredClone(message);
  const payload: JsonObject = {
    type: 'message_action',
    token: id.verificationToken,
    action_ts: nowTs(),
    team: teamObject(fake),
    user: userObject(fake, user),
    channel: { id: channel.id, name: channel.is_im ? 'directmessage' : channel.name },
    is_enterprise_install: false,
    enterprise: null,
    callback_id: input.callbackId,
    trigger_id: triggerId,
    response_url: responseUrl,
    message_ts: message.ts,
    message: wire as unknown as JsonObject,
  };
  return interactionRequest(payload, { triggerId, responseUrl });
}

/** Where an interaction happens: a channel message, an ephemeral message, or a view (modal or Home). */
export type InteractionSurface = { channel: string; messageTs: string } | { channel: string; ephemeralTs: string } | { viewId: string };

export interface BlockActionInput {
  user?: string;
  on: InteractionSurface;
  actionId: string;
  /** Button value override, option value(s) for selects, text for inputs, date, user id… */
  choice?: Choice;
}

export function blockActions(fake: FakeSlack, input: BlockActionInput): SlackRequest {
  const user = input.user ?? 'U_ALICE';
  const id = fake.identity;
  const triggerId = fake.issueTriggerId(user);
  const payload: JsonObject = {
    type: 'block_actions',
    user: userObject(fake, user),
    api_app_id: id.appId,
    token: id.verificationToken,
    container: {},
    trigger_id: triggerId,
    team: teamObject(fake),
    enterprise: null,
    is_enterprise_install: false,
  };
  let blocks: JsonObject[];
  let responseUrl: string | undefined;
  const on = input.on;
  if ('viewId' in on) {
    const view = openView(fake, on.viewId);
    blocks = view.blocks;
    payload['container'] = { type: 'view', view_id: view.id };
    // As in a submission: an input's initial value is in the state until the user changes it.
    const state = { values: { ...initialStateValues(view.blocks), ...view.state.values } };
    payload['view'] = { ...publicView(view), state: structuredClone(state) } as unknown as JsonObject;
    payload['state'] = structuredClone(state) as unknown as JsonObject;
  } else {
    const channel = resolveChannel(fake, on.channel);
    payload['channel'] = { id: channel.id, name: channel.is_im ? 'directmessage' : channel.name };
    if ('messageTs' in on) {
      const message = fake.message(channel.id, on.messageTs);
      if (!message) throw new Error(`fake Slack: no message ${on.messageTs} in ${channel.id}`);
      blocks = message.blocks ?? [];
      const { channel: _c, ...wire } = structuredClone(message);
      payload['container'] = { type: 'message', message_ts: message.ts, channel_id: channel.id, is_ephemeral: false };
      payload['message'] = wire as unknown as JsonObject;
      responseUrl = fake.issueResponseUrl(channel.id, user, { kind: 'actions', messageTs: message.ts, threadTs: message.thread_ts });
    } else {
      const eph = fake.ephemerals(user).find((e) => e.channel === channel.id && e.ts === on.ephemeralTs);
      if (!eph) throw new Error(`fake Slack: no ephemeral ${on.ephemeralTs} for ${user} in ${channel.id}`);
      blocks = eph.blocks ?? [];
      payload['container'] = { type: 'message', message_ts: eph.ts, channel_id: channel.id, is_ephemeral: true };
      responseUrl = fake.issueResponseUrl(channel.id, user, { kind: 'actions', messageTs: eph.ts, isEphemeral: true });
    }
    payload['state'] = { values: {} };
    payload['response_url'] = responseUrl;
  }
  const found = findElement(blocks, input.actionId, typeof input.choice === 'string' ? input.choice : undefined);
  if (!found) throw new Error(`fake Slack: no element with action_id ${input.actionId} on that surface`);
  payload['actions'] = [actionPayload(found, input.choice)];
  return interactionRequest(payload, { triggerId, responseUrl });
}

export interface ViewSubmissionInput {
  user?: string;
  viewId: string;
  /** { action_id: choice } for the view's inputs; merged over what setState recorded. */
  values?: Record<string, Choice>;
}

export function viewSubmission(fake: FakeSlack, input: ViewSubmissionInput): SlackRequest {
  const view = openView(fake, input.viewId);
  const user = input.user ?? view.user;
  const values = { ...initialStateValues(view.blocks), ...view.state.values, ...(input.values ? stateValues(view.blocks, input.values) : {}) };
  fake.workspace.views.setState(view.id, values);
  const id = fake.identity;
  const triggerId = fake.issueTriggerId(user);
  const payload: JsonObject = {
    type: 'view_submission',
    team: teamObject(fake),
    user: userObject(fake, user),
    api_app_id: id.appId,
    token: id.verificationToken,
    trigger_id: triggerId,
    view: publicView(view),
    response_urls: [],
    is_enterprise_install: false,
    enterprise: null,
  };
  return interactionRequest(payload, { triggerId });
}

export function viewClosed(fake: FakeSlack, input: { user?: string; viewId: string; isCleared?: boolean }): SlackRequest {
  const view = openView(fake, input.viewId);
  const id = fake.identity;
  const payload: JsonObject = {
    type: 'view_closed',
    team: teamObject(fake),
    user: userObject(fake, input.user ?? view.user),
    api_app_id: id.appId,
    token: id.verificationToken,
    view: publicView(view),
    is_cleared: input.isCleared ?? false,
    is_enterprise_install: false,
    enterprise: null,
  };
  // The user closed it: Slack closes the modal (the whole stack when cleared) and then tells the app.
  fake.workspace.views.close(input.isCleared ? view.root_view_id : view.id);
  return interactionRequest(payload);
}

/** The request an external_select sends while the user types `value`. */
export function blockSuggestion(fake: FakeSlack, input: { user?: string; on: InteractionSurface; actionId: string; value: string }): SlackRequest {
  const user = input.user ?? 'U_ALICE';
  const id = fake.identity;
  const payload: JsonObject = {
    type: 'block_suggestion',
    user: userObject(fake, user),
    container: {},
    api_app_id: id.appId,
    token: id.verificationToken,
    action_id: input.actionId,
    block_id: '',
    value: input.value,
    team: teamObject(fake),
    enterprise: null,
    is_enterprise_install: false,
  };
  let blocks: JsonObject[];
  const on = input.on;
  if ('viewId' in on) {
    const view = openView(fake, on.viewId);
    blocks = view.blocks;
    payload['container'] = { type: 'view', view_id: view.id };
    payload['view'] = publicView(view);
  } else {
    const channel = resolveChannel(fake, on.channel);
    const ts = 'messageTs' in on ? on.messageTs : on.ephemeralTs;
    const message = 'messageTs' in on ? fake.message(channel.id, ts) : fake.ephemerals(user).find((e) => e.ts === ts);
    blocks = message?.blocks ?? [];
    payload['container'] = { type: 'message', message_ts: ts, channel_id: channel.id, is_ephemeral: !('messageTs' in on) };
    payload['channel'] = { id: channel.id, name: channel.name };
  }
  const found = findElement(blocks, input.actionId);
  if (!found) throw new Error(`fake Slack: no element with action_id ${input.actionId} on that surface`);
  payload['block_id'] = found.blockId;
  return interactionRequest(payload);
}

function openView(fake: FakeSlack, viewId: string): StoredView {
  const view = fake.view(viewId);
  if (!view || view.closed) throw new Error(`fake Slack: view ${viewId} is not open`);
  return view;
}
