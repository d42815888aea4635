import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { failureMessage, newErrorId, UserError } from '../errors.ts';
import { errorModal, loadingModal } from './blocks.ts';
import type { Logger } from './log.ts';

/**
 * The modal pattern of this app: open (or push) a placeholder inside the trigger's 3 s window, build
 * the real view (database, GCE…), then swap it in. If building fails the placeholder never stays
 * "Loading…": it shows the user's error, or an apology with an error id that is also logged.
 */
export async function modalFlow(
  client: WebClient,
  log: Logger,
  opts: { triggerId: string; title: string; push?: boolean; loading?: string },
  build: () => Promise<View>,
): Promise<void> {
  const placeholder = loadingModal(opts.title, opts.loading);
  const opened = opts.push
    ? await client.views.push({ trigger_id: opts.triggerId, view: placeholder })
    : await client.views.open({ trigger_id: opts.triggerId, view: placeholder });
  const viewId = opened.view!.id!;
  let view: View;
  try {
    view = await build();
  } catch (err) {
    let message: string;
    if (err instanceof UserError) {
      message = err.message;
    } else {
      const errorId = newErrorId();
      log.error({ err, errorId }, 'could not build a modal');
      message = failureMessage(err, errorId).replace(/^:warning: /, '');
    }
    await updateUnlessClosed(client, { view_id: viewId, view: errorModal(opts.title, message) });
    return;
  }
  await updateUnlessClosed(client, { view_id: viewId, hash: opened.view!.hash, view });
}

/** The user may close the modal while it loads: then there is nothing left to update. */
export async function updateUnlessClosed(client: WebClient, args: { view_id: string; hash?: string; view: View }): Promise<void> {
  try {
    await client.views.update(args);
  } catch (err) {
    if ((err as { data?: { error?: string } }).data?.error === 'not_found') return;
    throw err;
  }
}
