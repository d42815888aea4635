import { chatMethods } from './chat.ts';
import type { MethodHandler } from './context.ts';
import { conversationsMethods } from './conversations.ts';
import { miscMethods } from './misc.ts';
import { viewsMethods } from './views.ts';

export type { MethodContext, MethodHandler } from './context.ts';

/** Every Web API method the fake speaks; anything else answers unknown_method. */
export const METHODS: Record<string, MethodHandler> = {
  ...chatMethods,
  ...conversationsMethods,
  ...viewsMethods,
  ...miscMethods,
};
