import { spawn, type ChildProcess } from 'node:child_process';

const ROOT = new URL('../../', import.meta.url).pathname;

export interface LocalProcess {
  child: ChildProcess;
  /** The local workspace page's base URL. */
  url: string;
  exited: Promise<number | null>;
  /** Everything it wrote to stdout and stderr so far. */
  output(): string;
}

/** `npm start` as a user runs it (node src/main.ts, no credentials), once its banner names the page. */
export async function spawnLocal(env: Record<string, string>): Promise<LocalProcess> {
  const child = spawn(process.execPath, ['src/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout.on('data', (c: Buffer) => {
      output += c.toString();
      const m = /Local workspace \(not Slack, no login\): (http:\/\/\S+?)\/\s/.exec(output);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`exited early:\n${output}`)));
  });
  return { child, url, exited, output: () => output };
}
