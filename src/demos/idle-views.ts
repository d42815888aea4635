import type { KnownBlock } from '@slack/types';
import { button, context, escapeMrkdwn, section, slackDate } from '../platform/blocks.ts';
import { IdleIds } from './idle-ids.ts';
import type { Demo } from './store.ts';

/** The DMs of idle suspension, pure functions of the demo (Block Kit). */

type Message = { text: string; blocks: KnownBlock[] };

const name = (title: string, demo: Pick<Demo, 'displayName'>) => `*${escapeMrkdwn(title)}* (\`${demo.displayName}\`)`;

export function idleWarning(demo: Pick<Demo, 'id' | 'displayName'>, w: { title: string; idleMinutes: number; suspendAt: Date }): Message {
  const minutes = Math.round(w.idleMinutes);
  return {
    text: `Your demo ${escapeMrkdwn(w.title)} looks idle; I'll suspend it in 10 min`,
    blocks: [
      section(
        `:zzz: Your demo ${name(w.title, demo)} looks idle: no activity for ${minutes} minutes. I'll suspend it in 10 min (at ${slackDate(w.suspendAt, '{time}')}); its memory and disk are kept and one click resumes it.`,
      ),
      { type: 'actions', elements: [button('Keep running', IdleIds.keepRunning, demo.id, { style: 'primary' })] },
      context('Activity on the VM (CPU or network), or Open the app, calls this off by itself.'),
    ],
  };
}

export function idleCancelled(demo: Pick<Demo, 'displayName'>, title: string): Message {
  const text = `:white_check_mark: Activity seen on ${name(title, demo)}; I'll leave it running.`;
  return { text, blocks: [section(text)] };
}

export function idleKept(demo: Pick<Demo, 'displayName'>, k: { title: string; by: string; idleMinutes: number }): Message {
  const text = `:white_check_mark: <@${k.by}> kept ${name(k.title, demo)} running. I'll ask again after another ${k.idleMinutes} minutes without activity.`;
  return { text, blocks: [section(text)] };
}

/** The DM once the VM is suspended, or stopped instead (`stoppedBecause`: GCE cannot suspend it). */
export function suspendedMessage(demo: Pick<Demo, 'id' | 'displayName'>, s: { title: string; stoppedBecause?: string }): Message {
  if (s.stoppedBecause) {
    const text = `:black_circle: ${name(s.title, demo)} was idle, but GCE cannot suspend it (${escapeMrkdwn(s.stoppedBecause)}), so I stopped it instead. Its disk is kept (not its memory): press *Start* on its status message when you need it again.`;
    return { text, blocks: [section(text)] };
  }
  return {
    text: `${escapeMrkdwn(s.title)} was idle, so I suspended it`,
    blocks: [
      section(
        `:zzz: ${name(s.title, demo)} was idle, so I suspended it. GCE keeps its memory and disk (you pay only their storage) and its time to live is paused. Resume it when you need it: it comes back as you left it.`,
      ),
      { type: 'actions', elements: [button('Resume', IdleIds.resume, demo.id, { style: 'primary' })] },
    ],
  };
}

/** Save pressed on a suspended demo: it is resumed first. */
export function savingSuspendedText(demo: Pick<Demo, 'displayName'>): string {
  return `:arrow_forward: \`${demo.displayName}\` is suspended, and an image is made from a running or stopped VM: I am resuming it first. I'll DM you when it runs; then press *Save* again.`;
}

export function resumedMessage(demo: Pick<Demo, 'displayName' | 'externalIp' | 'internalIp' | 'expiresAt'>, title: string): Message {
  const ip = demo.externalIp ? `External IP now: \`${demo.externalIp}\`` : demo.internalIp ? `Internal IP: \`${demo.internalIp}\`` : 'No IP address yet.';
  const text = `:arrow_forward: ${name(title, demo)} is running again. ${ip} (an ephemeral IP can change on resume). It now expires ${slackDate(demo.expiresAt)}.`;
  return { text, blocks: [section(text)] };
}
