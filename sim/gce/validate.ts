/** Field rules as Compute Engine enforces them (RFC 1035 names, label format, UUID request ids). */
import { invalidField, invalidName } from './errors.ts';

const NAME = /^(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?|[1-9][0-9]{0,19})$/;
// International characters are allowed: caseless letters (\p{Lo}) count as lowercase.
const LABEL_KEY = /^[\p{Ll}\p{Lo}][\p{Ll}\p{Lo}\p{Nd}_-]{0,62}$/u;
const LABEL_VALUE = /^[\p{Ll}\p{Lo}\p{Nd}_-]{0,63}$/u;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ZERO_UUID = '00000000-0000-0000-0000-000000000000';
export const MAX_LABELS = 64;

export function checkName(field: string, value: unknown): string {
  if (value === undefined || value === null || value === '') throw invalidName(field, '');
  const s = String(value);
  if (!NAME.test(s)) throw invalidName(field, s);
  return s;
}

export function checkLabels(field: string, value: unknown): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidField(field, '', 'Labels must be a map of strings.');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length > MAX_LABELS) {
    throw invalidField(field, '', `Too many labels: ${entries.length}. A resource can have at most ${MAX_LABELS} labels.`);
  }
  const out: Record<string, string> = {};
  for (const [k, v] of entries) {
    if (!LABEL_KEY.test(k)) {
      throw invalidField(
        field,
        '',
        `Label key '${k}' violates format constraints. The key must start with a lowercase character, can only contain lowercase letters, numeric characters, underscores and dashes. The key can be at most 63 characters long. International characters are allowed.`,
      );
    }
    const s = typeof v === 'string' ? v : String(v ?? '');
    if (!LABEL_VALUE.test(s)) {
      throw invalidField(
        field,
        '',
        `Label value '${s}' violates format constraints. The value can only contain lowercase letters, numeric characters, underscores and dashes. The value can be at most 63 characters long. International characters are allowed.`,
      );
    }
    out[k] = s;
  }
  return out;
}

/** GCE takes requestId as a UUID (not the zero UUID); anything else is a 400. */
export function checkRequestId(value: string | null): string | undefined {
  if (value === null || value === '') return undefined;
  if (!UUID.test(value) || value === ZERO_UUID) {
    throw invalidField('requestId', value, `The request ID must be a valid UUID with the exception that zero UUID is not supported (${ZERO_UUID}).`);
  }
  return value.toLowerCase();
}

export function checkMaxResults(value: string | null): number {
  if (value === null || value === '') return 500;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw invalidField('maxResults', value, 'Must be a non-negative integer.');
  if (n > 500) throw invalidField('maxResults', value, 'Must be less than or equal to 500');
  return n === 0 ? 500 : n;
}

/** GCE answers an unknown zone in the path with 400 `Invalid value for field 'zone'`. */
export function checkZone(zones: readonly string[], zone: string): string {
  if (!zones.includes(zone)) throw invalidField('zone', zone, 'Unknown zone.');
  return zone;
}
