import { z } from 'zod';

/**
 * A view's private_metadata comes back from Slack in every submission and click, and a client can
 * send anything there: it is read with the schema of what the view wrote, never trusted as typed.
 */
export function readMetadata<S extends z.ZodType>(schema: S, raw: string | undefined): z.infer<S> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw ?? '');
  } catch {
    return undefined;
  }
  const parsed = schema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}

/** Shown in the modal (response_action errors) when its metadata is not what the app wrote. */
export const STALE_FORM = 'This form is out of date; close it and open it again.';

/** Ids the app writes into metadata are database uuids (any version: test fixtures use v0). */
export const metadataId = () => z.guid();
