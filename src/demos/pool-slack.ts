import type { Registration } from '../capability.ts';
import type { AppContext } from '../context.ts';
import { UserError } from '../errors.ts';
import { recordAudit } from '../audit/store.ts';
import * as catalog from '../catalog/service.ts';
import { escapeMrkdwn } from '../platform/blocks.ts';
import { pickOne } from '../resolve.ts';
import { lastPoolBudget, poolLines, requestRefill } from './pool.ts';
import { poolSummary } from './lifecycle-views.ts';
import { setPoolSize } from './pool-store.ts';

/** A pool size is 0–20 VMs; `auto` follows demand up to this many. */
const MAX_POOL_SIZE = 20;
const AUTO_CAP = 5;
const DEFAULT_SIZE = 3;

const USAGE = '`/demo admin pool <image> [size|auto|off]` (size 1–20, default 3), or `/demo admin pool` to see the pools';

/** The size an admin typed as the last word, if it is one. */
function parseSize(word: string | undefined): { size: number; auto: boolean } | null {
  const w = word?.toLowerCase();
  if (w === 'off') return { size: 0, auto: false };
  if (w === 'auto') return { size: AUTO_CAP, auto: true };
  if (!w || !/^\d+$/.test(w)) return null;
  const size = Number(w);
  if (size > MAX_POOL_SIZE) throw new UserError(`A pool holds at most ${MAX_POOL_SIZE} VMs. ${USAGE}.`);
  return { size, auto: false };
}

export function registerPoolAdmin({ ctx, router }: Registration): void {
  router.admin.set('pool', {
    name: 'pool',
    usage: '/demo admin pool <image> [size|auto|off]',
    summary: 'keep suspended clones of a catalog image ready, so its launches take seconds',
    adminOnly: true,
    run: async (input, respond) => {
      if (!input.args.length) {
        await respond({ response_type: 'ephemeral', text: poolSummary(await poolLines(ctx), await lastPoolBudget(ctx)) });
        return;
      }
      const typed = parseSize(input.args.at(-1));
      const words = (typed ? input.args.slice(0, -1) : input.args).join(' ');
      if (!words) throw new UserError(`Say which image: ${USAGE}.`);
      const want = typed ?? { size: DEFAULT_SIZE, auto: false };
      const candidates = (await catalog.imagesNamed(ctx, input.userId, words)).filter((i) => i.visibility !== 'private');
      const sizeWord = want.auto ? 'auto' : String(want.size);
      const image = await pickOne(respond, words, candidates, { what: 'catalog image', rerun: (id) => `admin pool ${id} ${sizeWord}`, browse: 'browse' });
      if (!image) return;
      await respond({ response_type: 'ephemeral', text: await changePool(ctx, input.userId, image, want) });
    },
  });
}

async function changePool(ctx: AppContext, actorId: string, image: { id: string; title: string }, want: { size: number; auto: boolean }): Promise<string> {
  const now = ctx.clock.now();
  await ctx.db.transaction().execute(async (trx) => {
    const before = await setPoolSize(trx, { imageId: image.id, ...want, by: actorId, now });
    await recordAudit(trx, { at: now, actorId, action: 'image.pool', resourceKind: 'image', resourceId: image.id, before, after: want });
    await requestRefill(ctx, trx);
  });
  const title = `*${escapeMrkdwn(image.title)}*`;
  if (want.size === 0) return `:zap: ${title} is no longer pooled; its pool VMs are deleted.`;
  if (want.auto) return `:zap: ${title}'s warm pool follows demand (a day's launches over the last two weeks), up to ${want.size} VMs.`;
  return `:zap: ${title} keeps ${want.size} suspended clone${want.size === 1 ? '' : 's'} ready: launches of it resume one in seconds. The first are being made now.`;
}
