/**
 * The floor: a bare Bolt app (the same @slack/bolt, the same HTTP receiver settings as
 * src/platform/slack.ts) whose listeners only ack. Given token and bot identity, so it never calls
 * auth.test. Spawned by bench/app-process.ts; prints its Request URL when listening.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver, LogLevel } from '@slack/bolt';

const receiver = new HTTPReceiver({
  signingSecret: process.env.SLACK_SIGNING_SECRET!,
  endpoints: '/slack/events',
  processBeforeResponse: false,
  unhandledRequestTimeoutMillis: 2_500,
});
const app = new App({
  token: process.env.SLACK_BOT_TOKEN!,
  botId: 'B_DEMOBOT',
  botUserId: 'U_DEMOBOT',
  tokenVerificationEnabled: false,
  receiver,
  logLevel: LogLevel.INFO,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});
app.command('/demo', async ({ ack }) => {
  await ack();
});
// The load also carries block_actions; without a listener Bolt would hold them until its timeout.
app.action(/.*/, async ({ ack }) => {
  await ack();
});

const server = (await app.start({ port: 0, host: '127.0.0.1' })) as Server;
const { port } = server.address() as AddressInfo;
process.stdout.write(`bare bolt listening: http://127.0.0.1:${port}/slack/events\n`);
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
