import type { Registration } from '../capability.ts';
import { mentionedUser } from '../commands.ts';
import { ForbiddenError } from '../errors.ts';
import { can } from '../policy.ts';
import { listAudit, type AuditFilter } from './store.ts';
import { auditBlocks } from './views.ts';

/** `/demo audit [@user | demo | image]`: admins read who changed what, and when. */
export function registerAudit({ ctx, router }: Registration): void {
  router.add({
    name: 'audit',
    usage: '/demo audit [@user|demo|image]',
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
        // A demo or an image by the name people type (or a GCE name, or an image title): its ids in the log.
        const needle = arg.toLowerCase();
        const [images, demos] = await Promise.all([
          ctx.db
            .selectFrom('images')
            .select(['id', 'gce_name'])
            .where((eb) => eb.or([eb('gce_name', '=', needle), eb('display_name', '=', needle), eb(eb.fn('lower', ['title']), '=', input.rest.toLowerCase())]))
            .execute(),
          ctx.db
            .selectFrom('demos')
            .select(['id', 'instance_name'])
            .where((eb) => eb.or([eb('display_name', '=', needle), eb('instance_name', '=', needle)]))
            .execute(),
        ]);
        const ids = [...images.flatMap((i) => [i.id, i.gce_name]), ...demos.map((d) => d.id)];
        filter = { kind: 'resource', resourceIds: [needle, ...ids] };
        title = demos.length && !images.length ? `demo ${arg}` : `image ${arg}`;
      }
      const rows = await listAudit(ctx.db, filter, 40);
      await respond({ response_type: 'ephemeral', ...auditBlocks(title.replace(/[<>@]/g, ''), rows) });
    },
  });
}
