import type { AppContext } from '../context.ts';
import * as catalog from '../catalog/service.ts';
import { detailView } from '../catalog/views.ts';

/**
 * Re-render an image detail modal the user returns to (after commenting, sharing, unsharing), so it
 * shows what just changed. Best effort: the modal may have been closed meanwhile.
 */
export async function refreshDetail(ctx: AppContext, viewId: string | null | undefined, userId: string, imageId: string): Promise<void> {
  if (!viewId) return;
  try {
    const d = await catalog.detail(ctx, await ctx.actor(userId), imageId);
    await ctx.slack.views.update({ view_id: viewId, view: detailView(d) });
  } catch (err) {
    ctx.log.debug({ err, viewId }, 'could not refresh the image detail (closed, or no longer visible)');
  }
}
