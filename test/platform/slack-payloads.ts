/** Payloads as Slack sends them and a Bolt App to hand them to, for tests that drive App.processEvent. */
import { App } from '@slack/bolt';

/** A real Bolt App; botId and botUserId given, so Bolt never calls auth.test (nothing here answers it). */
export function testBolt(): App {
  return new App({ token: 'xoxb-test', signingSecret: 'secret', botId: 'B_APP', botUserId: 'U_APP', tokenVerificationEnabled: false, logLevel: 'error' as never });
}

/** A button click on a message. */
export function blockAction(actionId: string, user = 'U1') {
  return {
    type: 'block_actions',
    user: { id: user },
    team: { id: 'T1' },
    trigger_id: 't1',
    actions: [{ type: 'button', action_id: actionId, block_id: 'b1', action_ts: '1.1' }],
    container: { type: 'message' },
    channel: { id: 'C1' },
    message: { ts: '1.1' },
    response_url: 'http://127.0.0.1:9/r',
  };
}

/** `/demo <text>` typed by `user`. */
export function slashCommand(text: string, user = 'U1') {
  return { command: '/demo', text, user_id: user, channel_id: 'C1', team_id: 'T1', trigger_id: `trig-${user}`, response_url: 'http://127.0.0.1:9/r' };
}
