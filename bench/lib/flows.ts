/** User journeys the benchmarks set up before they measure (through the real receiver). */
import type { StoredView } from './fakes.ts';
import type { DbHandle } from '../../src/platform/db.ts';
import type { InboundSlack } from '../../test/harness/slack-requests.ts';
import { topViewWith, until, type Fakes } from './env.ts';

/** `/demo browse` → the user's filled catalog modal. */
export async function openBrowse(f: Fakes, slack: InboundSlack, user: string): Promise<StoredView> {
  const sent = await slack.command({ user, text: 'browse' });
  if (sent.response.status !== 200) throw new Error(`/demo browse answered ${sent.response.status}`);
  return topViewWith(f, user, 'catalog.browse');
}

/** `/demo launch <image>` → the user's launch modal, ready to submit. */
export async function openLaunchModal(f: Fakes, slack: InboundSlack, user: string, gceName: string): Promise<StoredView> {
  const sent = await slack.command({ user, text: `launch ${gceName}` });
  if (sent.response.status !== 200) throw new Error(`/demo launch answered ${sent.response.status}`);
  return topViewWith(f, user, 'demos.launch');
}

/** A demo of this user running and ready, with its status DM. */
export async function readyDemo(handle: DbHandle, owner: string, timeoutMs = 30_000) {
  return until(
    `${owner}'s demo to be ready`,
    () =>
      handle.db
        .selectFrom('demos')
        .selectAll()
        .where('owner_id', '=', owner)
        .where('state', '=', 'running')
        .where('progress', '=', 'ready')
        .where('dm_ts', 'is not', null)
        .executeTakeFirst(),
    timeoutMs,
  );
}
