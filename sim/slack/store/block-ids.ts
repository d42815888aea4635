import { randomBlockId } from '../ids.ts';
import type { JsonObject } from '../types.ts';

/** Slack stores blocks with a block_id, generating one where the app gave none; interaction payloads carry it. */
export function withBlockIds(blocks: JsonObject[]): JsonObject[] {
  return blocks.map((b) => {
    const copy = structuredClone(b);
    if (typeof copy['block_id'] !== 'string') copy['block_id'] = randomBlockId();
    return copy;
  });
}
