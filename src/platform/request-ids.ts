import { createHash } from 'node:crypto';

/**
 * The GCE requestId of a step, derived from what the step belongs to: the same step, retried or
 * resumed after a crash, sends the same id, and GCE ignores a repeat within an hour.
 */
export function stepRequestId(...parts: string[]): string {
  const h = createHash('sha256').update(parts.join('\u0000')).digest('hex');
  // Shape it as a version-4-looking UUID (GCE wants a valid, non-zero UUID).
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
