import type { App, RespondArguments } from '@slack/bolt';
import { MAX_COMMAND_TEXT, toInput, type CommandRouter, type Parsed } from './commands.ts';
import type { AppContext } from './context.ts';
import { escapeMrkdwn } from './platform/blocks.ts';

/**
 * `/demo`: help and usage mistakes are answered in the ack itself; everything else is acked empty,
 * then run, so Slack's 3 s window never depends on the database or GCE.
 */
export function registerCommandListener(bolt: App, router: CommandRouter, ctx: AppContext): void {
  bolt.command('/demo', async ({ command, ack, respond }) => {
    const { response, run } = commandAnswer(router, ctx.config.adminUserIds.includes(command.user_id), command.text ?? '');
    await ack(response);
    if (run) await run.spec.run(toInput(command, run), respond);
  });
}

type Run = Extract<Parsed, { kind: 'run' }>;

/** What `/demo <text>` says in its ack, and the subcommand it goes on to run (none when the ack says it all). */
function commandAnswer(router: CommandRouter, isAdmin: boolean, text: string): { response?: RespondArguments; run?: Run } {
  const parsed = router.parse(text);
  const ephemeral = (r: RespondArguments): { response: RespondArguments } => ({ response: { response_type: 'ephemeral', ...r } });
  switch (parsed.kind) {
    case 'help':
      return ephemeral(router.helpBlocks({ isAdmin }));
    case 'too_long':
      return ephemeral({ text: `That command is too long (over ${MAX_COMMAND_TEXT} characters). Try \`/demo help\`.` });
    case 'unknown': {
      const word = escapeMrkdwn(parsed.word.slice(0, 40));
      const intro = parsed.suggestion
        ? `I don't know \`/demo ${word}\`. Did you mean \`/demo ${parsed.suggestion}\`?`
        : `I don't know \`/demo ${word}\`. Here is what I can do:`;
      return ephemeral(router.helpBlocks({ isAdmin, intro }));
    }
    case 'run':
      if (parsed.spec.adminOnly && !isAdmin) return ephemeral({ text: `Only an admin can use \`${parsed.spec.usage.split(' ').slice(0, 3).join(' ')}\`.` });
      return { run: parsed };
  }
}
