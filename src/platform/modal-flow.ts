import type { View } from '@slack/types';
import type { WebClient } from '@slack/web-api';
import { failureMessage, newErrorId, UserError } from '../errors.ts';
import { errorModal, loadingModal } from './blocks.ts';
import type { Logger } from './log.ts';
import { TIMED_OUT, within } from './deadline.ts';

/** A view built within this is opened as is; a slower one gets a "Loading…" placeholder first. */
export const PLACEHOLDER_AFTER_MS = 400;

/**
 * The modal pattern of this app: build the view (database, GCE…) and open (or push) it inside the
 * trigger's 3 s window. A build that is quick opens the finished view in one call; a slow one opens a
 * placeholder first and swaps the view in when it is ready. If building fails the user never sees
 * "Loading…" forever: the modal shows their error, or an apology with an error id that is also logged.
 */
export async function modalFlow(
  client: WebClient,
  log: Logger,
  opts: { triggerId: string; title: string; push?: boolean; loading?: string },
  build: () => Promise<View>,
): Promise<void> {
  const open = (view: View) => (opts.push ? client.views.push({ trigger_id: opts.triggerId, view }) : client.views.open({ trigger_id: opts.triggerId, view }));
  const finished = buildOrExplain(build, opts.title, log);
  const early = await within(finished, PLACEHOLDER_AFTER_MS);
  if (early !== TIMED_OUT) {
    await open(early.view);
    return;
  }
  const opened = await open(loadingModal(opts.title, opts.loading));
  const { view, failed } = await finished;
  // The hash refuses to overwrite a view the user has moved on from; an error is shown regardless.
  await updateUnlessClosed(client, { view_id: opened.view!.id!, ...(failed ? {} : { hash: opened.view!.hash }), view });
}

/** The built view, or a modal that explains why it could not be built (never rejects). */
async function buildOrExplain(build: () => Promise<View>, title: string, log: Logger): Promise<{ view: View; failed: boolean }> {
  try {
    return { view: await build(), failed: false };
  } catch (err) {
    let message: string;
    if (err instanceof UserError) {
      message = err.message;
    } else {
      const errorId = newErrorId();
      log.error({ err, errorId }, 'could not build a modal');
      message = failureMessage(err, errorId).replace(/^:warning: /, '');
    }
    return { view: errorModal(title, message), failed: true };
  }
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
