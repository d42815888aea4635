import { checkView } from '../block-kit-limits.ts';
import type { FakeSlack } from '../server.ts';
import type { JsonObject } from '../types.ts';

/** What Slack did with the modal after the app acknowledged a view_submission. */
export type ViewAckOutcome =
  | { outcome: 'closed' }
  | { outcome: 'cleared' }
  | { outcome: 'updated'; viewId: string }
  | { outcome: 'pushed'; viewId: string }
  | { outcome: 'errors'; errors: Record<string, string> }
  | { outcome: 'refused'; reason: string };

/**
 * Apply the app's ack body to the fake's modal stack, as Slack does: an empty ack closes the view;
 * response_action update / push / clear / errors do what they say. An invalid view in the ack is
 * refused (Slack shows the user an error and leaves the modal as it was).
 */
export function applyViewSubmissionAck(fake: FakeSlack, viewId: string, ack: unknown): ViewAckOutcome {
  const views = fake.workspace.views;
  const view = views.get(viewId);
  if (!view || view.closed) return { outcome: 'refused', reason: `view ${viewId} is not open` };
  const body = typeof ack === 'object' && ack !== null ? (ack as JsonObject) : {};
  const action = body['response_action'];
  if (action === undefined) {
    views.close(viewId);
    return { outcome: 'closed' };
  }
  if (action === 'clear') {
    const root = views.get(view.root_view_id) ?? view;
    views.close(root.id);
    return { outcome: 'cleared' };
  }
  if (action === 'errors') {
    const errors = (body['errors'] ?? {}) as Record<string, string>;
    const blockIds = new Set(view.blocks.map((b) => b['block_id']));
    const unknown = Object.keys(errors).filter((id) => !blockIds.has(id));
    if (unknown.length > 0) return { outcome: 'refused', reason: `errors name unknown block_ids: ${unknown.join(', ')}` };
    return { outcome: 'errors', errors };
  }
  if (action === 'update' || action === 'push') {
    const next = body['view'];
    const problem = checkView(next);
    if (problem) return { outcome: 'refused', reason: problem.errors.join('; ') || problem.error };
    const result = action === 'update' ? views.update(view, next as JsonObject, undefined) : views.push(view.user, next as JsonObject);
    if (typeof result === 'string') return { outcome: 'refused', reason: result };
    return action === 'update' ? { outcome: 'updated', viewId: result.id } : { outcome: 'pushed', viewId: result.id };
  }
  return { outcome: 'refused', reason: `unknown response_action ${String(action)}` };
}
