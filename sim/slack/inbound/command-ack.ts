import type { FakeSlack } from '../server.ts';
import type { JsonObject, StoredEphemeral } from '../types.ts';

/**
 * A slash command's ack may carry a message: Slack shows it to the user who typed the command
 * (ephemeral, unless response_type is in_channel). Apply it to the fake as Slack would.
 */
export function applyCommandAck(fake: FakeSlack, command: { user_id: string; channel_id: string }, ackBody: unknown): StoredEphemeral | undefined {
  if (!ackBody || typeof ackBody !== 'object') return undefined;
  const body = ackBody as JsonObject;
  if (typeof body['text'] !== 'string' && !Array.isArray(body['blocks'])) return undefined;
  return fake.workspace.messages.addEphemeral({
    channel: command.channel_id,
    user: command.user_id,
    text: typeof body['text'] === 'string' ? body['text'] : '',
    ...(Array.isArray(body['blocks']) ? { blocks: body['blocks'] as JsonObject[] } : {}),
    source: 'command_ack',
  });
}
