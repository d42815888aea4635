import type { AnyMiddlewareArgs, Middleware } from '@slack/bolt';
import { stripControlCharacters } from './control-characters.ts';

/** Every string in a parsed JSON value cleaned in place (keys too), so every view of it is clean. */
function cleanInPlace(value: unknown): unknown {
  if (typeof value === 'string') return stripControlCharacters(value);
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = cleanInPlace(value[i]);
  } else if (value !== null && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    for (const key of Object.keys(record)) {
      const cleanKey = stripControlCharacters(key);
      const cleanValue = cleanInPlace(record[key]);
      if (cleanKey !== key) delete record[key];
      record[cleanKey] = cleanValue;
    }
  }
  return value;
}

/**
 * Bolt global middleware, registered first: all text from Slack (command text, view inputs, message
 * events, private_metadata…) is cleaned once at the boundary, before any listener sees it.
 */
export function cleanSlackInput(): Middleware<AnyMiddlewareArgs> {
  return async ({ body, next }) => {
    cleanInPlace(body);
    await next();
  };
}
