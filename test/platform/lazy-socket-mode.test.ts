import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { SOCKET_MODE_EXPORTS, socketModeLoaded } from '../../src/platform/lazy-socket-mode.ts';

describe('the Socket Mode client loads on first use', () => {
  test('a process that loads the app Slack module never loads the Socket Mode client', () => {
    const script = `await import('./src/platform/slack.ts');
      const { createRequire } = await import('node:module');
      const loaded = Object.keys(createRequire(import.meta.url).cache).filter((k) => /socket-mode[\\/]dist[\\/]src[\\/]SocketModeClient|[\\/]undici[\\/]/.test(k));
      console.log(JSON.stringify(loaded));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { cwd: new URL('../..', import.meta.url), encoding: 'utf8' });
    expect(JSON.parse(out.trim().split('\n').at(-1)!)).toEqual([]);
  });

  test('Bolt loads without it; a SocketModeReceiver brings the real package, whose exports the stand-in mirrors', async () => {
    const { createBoltApp } = await import('../../src/platform/slack.ts'); // imports @slack/bolt
    expect(createBoltApp).toBeTypeOf('function');
    expect(socketModeLoaded()).toBe(false);

    const { SocketModeReceiver } = await import('@slack/bolt');
    const receiver = new SocketModeReceiver({ appToken: 'xapp-1-test' });
    expect(receiver.client.constructor.name).toBe('SocketModeClient');
    expect(socketModeLoaded()).toBe(true);

    const real = createRequire(createRequire(import.meta.url).resolve('@slack/bolt'))('@slack/socket-mode') as object;
    expect(Object.keys(real).sort()).toEqual([...SOCKET_MODE_EXPORTS].sort());
  });
});
