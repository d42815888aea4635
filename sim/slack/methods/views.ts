import { checkView } from '../block-kit-limits.ts';
import { argString } from '../http-body.ts';
import { publicView, type ViewError } from '../store/views.ts';
import type { JsonObject, StoredView } from '../types.ts';
import { fail, validationFailure, type MethodContext, type MethodHandler } from './context.ts';

/** The `view` argument, checked as Slack checks it (invalid_arguments with [ERROR] lines). */
function viewArg(ctx: MethodContext, expectedType?: 'modal' | 'home'): { view: JsonObject } | { refusal: JsonObject } {
  const view = ctx.args['view'];
  if (typeof view !== 'object' || view === null || Array.isArray(view)) {
    return { refusal: fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] missing required field: view'] } }) };
  }
  const problem = checkView(view);
  if (problem) return { refusal: validationFailure(problem, false) };
  const type = (view as JsonObject)['type'];
  if (expectedType !== undefined && type !== expectedType) {
    const messages = [`[ERROR] must be ${expectedType} [json-pointer:/view/type]`];
    return { refusal: fail('invalid_arguments', { response_metadata: { messages } }) };
  }
  return { view: view as JsonObject };
}

function answer(result: StoredView | ViewError): JsonObject {
  if (typeof result === 'string') return fail(result === 'no_open_modal' ? 'not_found' : result);
  return { ok: true, view: publicView(result) };
}

/** Validate the view before spending the trigger, so a refused view can be fixed and retried. */
function withTrigger(ctx: MethodContext, run: (user: string, view: JsonObject) => StoredView | ViewError): JsonObject {
  const checked = viewArg(ctx, 'modal');
  if ('refusal' in checked) return checked.refusal;
  const triggerId = argString(ctx.args, 'trigger_id');
  if (triggerId === undefined || triggerId === '') return fail('invalid_trigger_id');
  const trigger = ctx.ws.grants.consumeTrigger(triggerId);
  if (typeof trigger === 'string') return fail(trigger);
  return answer(run(trigger.user, checked.view));
}

const open: MethodHandler = (ctx) => withTrigger(ctx, (user, view) => ctx.ws.views.open(user, view));

const push: MethodHandler = (ctx) => withTrigger(ctx, (user, view) => ctx.ws.views.push(user, view));

const update: MethodHandler = (ctx) => {
  const viewId = argString(ctx.args, 'view_id');
  const externalId = argString(ctx.args, 'external_id');
  if (!viewId && !externalId) {
    return fail('invalid_arguments', { response_metadata: { messages: ['[ERROR] either view_id or external_id is required'] } });
  }
  const target = viewId ? ctx.ws.views.get(viewId) : ctx.ws.views.byExternalId(externalId ?? '');
  const checked = viewArg(ctx, target?.type);
  if ('refusal' in checked) return checked.refusal;
  return answer(ctx.ws.views.update(target, checked.view, argString(ctx.args, 'hash')));
};

const publish: MethodHandler = (ctx) => {
  const user = argString(ctx.args, 'user_id') ?? '';
  if (!ctx.ws.directory.users.has(user)) {
    return fail('invalid_arguments', { response_metadata: { messages: ['invalid `user_id`'] } });
  }
  const checked = viewArg(ctx, 'home');
  if ('refusal' in checked) return checked.refusal;
  return answer(ctx.ws.views.publish(user, checked.view, argString(ctx.args, 'hash')));
};

export const viewsMethods: Record<string, MethodHandler> = {
  'views.open': open,
  'views.push': push,
  'views.update': update,
  'views.publish': publish,
};
