import type { View } from '@slack/types';
import type { AppContext } from '../context.ts';
import { detail } from './service.ts';
import { detailView, type DetailSection } from './views.ts';

// By capability name: a second app in one process (tests) registers the same pure functions again.
const sections = new Map<string, DetailSection>();

/** Called from a capability's web registration (sharing, comments, exports…), in capability order. */
export function registerDetailSection(name: string, section: DetailSection): void {
  sections.set(name, section);
}

/** The image detail modal as the viewer may use it. */
export async function detailModal(ctx: AppContext, userId: string, imageId: string): Promise<View> {
  return detailView(await detail(ctx, await ctx.actor(userId), imageId), [...sections.values()]);
}

/**
 * Re-render an image detail modal the user returns to (after commenting, sharing, unsharing), so it
 * shows what just changed. Best effort: the modal may have been closed meanwhile.
 */
export async function refreshDetail(ctx: AppContext, viewId: string | null | undefined, userId: string, imageId: string): Promise<void> {
  if (!viewId) return;
  try {
    await ctx.slack.views.update({ view_id: viewId, view: await detailModal(ctx, userId, imageId) });
  } catch (err) {
    ctx.log.debug({ err, viewId }, 'could not refresh the image detail (closed, or no longer visible)');
  }
}
