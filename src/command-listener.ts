import type { App, BlockAction, RespondArguments, RespondFn } from '@slack/bolt';
import { RERUN_ACTION, typoMessage } from './command-views.ts';
import { MAX_COMMAND_TEXT, type CommandInput, type CommandRouter, type Parsed } from './commands.ts';
import type { AppContext } from './context.ts';
import { usersNamed } from './platform/user-profiles.ts';
import { answerWithin, SLACK_LOOKUP_MS } from './platform/deadline.ts';

/**
 * `/demo`: help and usage mistakes are answered in the ack itself; everything else is acked empty,
 * then run, so Slack's 3 s window never depends on the database or GCE. Buttons of the router's own
 * answers (Help, "Did you mean…?", Browse) carry a command text and run it as if it were typed.
 */
export function registerCommandListener(bolt: App, router: CommandRouter, ctx: AppContext): void {
  const isAdmin = (userId: string) => ctx.config.adminUserIds.includes(userId);

  bolt.command('/demo', async ({ command, ack, respond }) => {
    const { response, run } = commandAnswer(router, isAdmin(command.user_id), command.text ?? '');
    await ack(response);
    if (run)
      await runParsed(await withMentions(ctx, run), respond, {
        userId: command.user_id,
        channelId: command.channel_id,
        teamId: command.team_id,
        triggerId: command.trigger_id,
        responseUrl: command.response_url,
      });
  });

  bolt.action<BlockAction>(new RegExp(`^${RERUN_ACTION.replace('.', '\\.')}\\.\\d+$`), async ({ ack, body, action, respond }) => {
    await ack();
    const { response, run } = commandAnswer(router, isAdmin(body.user.id), action.type === 'button' ? (action.value ?? '') : '');
    if (response) await respond({ replace_original: false, ...response });
    if (run)
      await runParsed(await withMentions(ctx, run), respond, {
        userId: body.user.id,
        channelId: body.channel?.id ?? body.user.id,
        teamId: body.team?.id ?? '',
        triggerId: body.trigger_id,
        responseUrl: body.response_url ?? '',
      });
  });
}

type Run = Extract<Parsed, { kind: 'run' }>;

const TYPED_HANDLE = /^@[\p{L}\p{N}._-]+$/u;
const TYPED_CHANNEL = /^#[\p{Ll}\p{N}._-]+$/u;
/** Pages of conversations.list read to find a channel by name (1,000 channels a page), each within the deadline. */
const CHANNEL_PAGES = 5;

/**
 * `@alice` or `#demo-vm` that Slack's client did not turn into a mention (pasted, or sent before the
 * autocomplete): a handle or display name only one known user has, or a public channel of that name,
 * becomes `<@U…|alice>` / `<#C…|demo-vm>`, as if picked; anything else stays as typed, and the command
 * says how to mention.
 */
async function withMentions(ctx: AppContext, run: Run): Promise<Run> {
  const mentions = new Map<string, string>();
  for (const word of new Set(run.args)) {
    if (TYPED_HANDLE.test(word)) {
      const ids = await usersNamed(ctx.db, word.slice(1));
      if (ids.length === 1) mentions.set(word, `<@${ids[0]}|${word.slice(1)}>`);
    } else if (TYPED_CHANNEL.test(word)) {
      const id = await publicChannelNamed(ctx, word.slice(1)).catch((err: unknown) => {
        ctx.log.warn({ err }, 'could not look a channel up by name; the command gets it as typed');
        return null;
      });
      if (id) mentions.set(word, `<#${id}|${word.slice(1)}>`);
    }
  }
  if (mentions.size === 0) return run;
  const swap = (w: string) => mentions.get(w) ?? w;
  return { ...run, args: run.args.map(swap), rest: run.rest.split(/(\s+)/).map(swap).join('') };
}

async function publicChannelNamed(ctx: AppContext, name: string): Promise<string | null> {
  let cursor: string | undefined;
  for (let page = 0; page < CHANNEL_PAGES; page++) {
    // A rate-limited or unreachable Slack must not hold the command: past the deadline, the name stays as typed.
    const page = ctx.slack.conversations.list({ types: 'public_channel', exclude_archived: true, limit: 1000, cursor });
    const res = await answerWithin(page, SLACK_LOOKUP_MS, 'Slack conversations.list');
    const found = res.channels?.find((c) => c.name === name);
    if (found?.id) return found.id;
    cursor = res.response_metadata?.next_cursor || undefined;
    if (!cursor) break;
  }
  return null;
}

function runParsed(run: Run, respond: RespondFn, from: Omit<CommandInput, 'args' | 'rest'>): Promise<void> {
  return run.spec.run({ ...from, args: run.args, rest: run.rest }, respond);
}

/** What `/demo <text>` says in its ack, and the subcommand it goes on to run (none when the ack says it all). */
function commandAnswer(router: CommandRouter, isAdmin: boolean, text: string): { response?: RespondArguments; run?: Run } {
  const parsed = router.parse(text);
  const ephemeral = (r: RespondArguments): { response: RespondArguments } => ({ response: { response_type: 'ephemeral', ...r } });
  switch (parsed.kind) {
    case 'help':
      return ephemeral(router.help(parsed.topic, isAdmin));
    case 'too_long':
      return ephemeral({ text: `That command is too long (over ${MAX_COMMAND_TEXT} characters). Try \`/demo help\`.` });
    case 'unknown':
      return ephemeral(typoMessage(parsed.word, parsed.suggestions));
    case 'run':
      if (parsed.spec.adminOnly && !isAdmin) return ephemeral({ text: `Only an admin can use \`${parsed.spec.usage.split(' ').slice(0, 3).join(' ')}\`.` });
      return { run: parsed };
  }
}
