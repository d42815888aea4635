import type { Registration } from '../capability.ts';
import { mentionedUser } from '../commands.ts';
import { ForbiddenError } from '../errors.ts';
import { can } from '../policy.ts';
import { listAudit, type AuditFilter } from './store.ts';
import { auditBlocks } from './views.ts';

/** `/demo audit [@user | image-name]`: admins read who changed what, and when. */
export function registerAudit({ ctx, router }: Registration): void {
  router.add({
    name: 'audit',
    usage: '/demo audit [@user|image]',
    summary: 'who changed what, and when (admins)',
    adminOnly: true,
    run: async (input, respond) => {
      const decision = can(await ctx.actor(input.userId), 'audit_view', { kind: 'org' });
      if (!decision.allowed) throw new ForbiddenError(decision.reason!);
      const arg = input.args[0] ?? '';
      let filter: AuditFilter = { kind: 'all' };
      let title = 'everything';
      const mentioned = mentionedUser(arg);
      if (mentioned) {
        filter = { kind: 'actor', userId: mentioned };
        title = `by <@${mentioned}>`;
      } else if (arg) {
        // An image: its catalog id and GCE name both appear as resource ids in the log.
        const images = await ctx.db
          .selectFrom('images')
          .select(['id', 'gce_name'])
          .where((eb) => eb.or([eb('gce_name', '=', arg.toLowerCase()), eb(eb.fn('lower', ['title']), '=', input.rest.toLowerCase())]))
          .execute();
        filter = { kind: 'resource', resourceIds: [arg.toLowerCase(), ...images.flatMap((i) => [i.id, i.gce_name])] };
        title = `image ${arg}`;
      }
      const rows = await listAudit(ctx.db, filter, 40);
      await respond({ response_type: 'ephemeral', ...auditBlocks(title.replace(/[<>@]/g, ''), rows) });
    },
  });
}
