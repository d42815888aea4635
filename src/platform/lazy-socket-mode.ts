/**
 * Bolt's index loads every receiver it ships, so @slack/socket-mode (its WebSocket client, undici
 * among its dependencies: ~6.5 MB of heap) was loaded by every process although only SLACK_MODE=socket
 * uses it. A stand-in goes into the require cache under its path before Bolt loads; each of its
 * exports loads the real package on first use (Bolt reads SocketModeClient only when a
 * SocketModeReceiver is built). Imported by slack.ts ahead of '@slack/bolt'.
 */
import { createRequire } from 'node:module';
import { standIn } from './require-stand-in.ts';

const boltRequire = createRequire(createRequire(import.meta.url).resolve('@slack/bolt'));
const path = boltRequire.resolve('@slack/socket-mode');

/** The package's exports (dist/src/index.js); a test checks the list against the real module. */
export const SOCKET_MODE_EXPORTS = ['ErrorCode', 'SlackSocketModeError', 'SMNoReplyReceivedError', 'SMPlatformError', 'SMSendWhileDisconnectedError', 'SMSendWhileNotReadyError', 'SMWebsocketError', 'LogLevel', 'SocketModeClient', 'UnrecoverableSocketModeStartError'];

let real: Record<string, unknown> | undefined;

function load(): Record<string, unknown> {
  if (!real) {
    delete boltRequire.cache[path];
    real = boltRequire('@slack/socket-mode') as Record<string, unknown>;
  }
  return real;
}

const lazy = standIn(boltRequire, path, () => {
  const exports: Record<string, unknown> = {};
  Object.defineProperty(exports, '__esModule', { value: true });
  for (const name of SOCKET_MODE_EXPORTS) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });
  return exports;
});

/** Whether the real package has been loaded (for tests). */
export function socketModeLoaded(): boolean {
  return real !== undefined || (boltRequire.cache[path] !== undefined && boltRequire.cache[path] !== lazy);
}
