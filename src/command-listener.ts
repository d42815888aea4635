import type { SlackListeners } from './platform/listener-router.ts';
import { escapeMrkdwn, MAX_COMMAND_TEXT, toInput, type CommandRouter } from './commands.ts';
import type { AppContext } from './context.ts';

/**
 * `/demo`: answers help and usage mistakes in the ack itself (pure, no I/O); everything else is
 * acked at once and then run, so Slack's 3 s window never depends on the database or GCE.
 */
export function registerCommandListener(bolt: SlackListeners, router: CommandRouter, ctx: AppContext): void {
  bolt.command('/demo', async ({ command, ack, respond }) => {
    const parsed = router.parse(command.text ?? '');
    const isAdmin = ctx.config.adminUserIds.includes(command.user_id);
    switch (parsed.kind) {
      case 'help':
        await ack({ response_type: 'ephemeral', ...router.helpBlocks({ isAdmin }) });
        return;
      case 'too_long':
        await ack({ response_type: 'ephemeral', text: `That command is too long (over ${MAX_COMMAND_TEXT} characters). Try \`/demo help\`.` });
        return;
      case 'unknown': {
        const word = escapeMrkdwn(parsed.word.slice(0, 40));
        const intro = parsed.suggestion
          ? `I don't know \`/demo ${word}\`. Did you mean \`/demo ${parsed.suggestion}\`?`
          : `I don't know \`/demo ${word}\`. Here is what I can do:`;
        await ack({ response_type: 'ephemeral', ...router.helpBlocks({ isAdmin, intro }) });
        return;
      }
      case 'run':
        if (parsed.spec.adminOnly && !isAdmin) {
          await ack({ response_type: 'ephemeral', text: `Only an admin can use \`${parsed.spec.usage.split(' ').slice(0, 3).join(' ')}\`.` });
          return;
        }
        await ack();
        await parsed.spec.run(toInput(command, parsed), respond);
    }
  });
}
