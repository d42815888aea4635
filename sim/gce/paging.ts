/** Page tokens are opaque to clients; here they carry the offset of the next page. */
import { invalidField } from './errors.ts';

export function paginate<T>(items: readonly T[], maxResults: number, pageToken: string | null): { page: T[]; nextPageToken?: string } {
  let offset = 0;
  if (pageToken) {
    const m = /^o:(\d+)$/.exec(Buffer.from(pageToken, 'base64url').toString('utf8'));
    if (!m) throw invalidField('pageToken', pageToken, 'Invalid page token.');
    offset = Number(m[1]);
  }
  const page = items.slice(offset, offset + maxResults);
  const next = offset + maxResults;
  return next < items.length ? { page, nextPageToken: Buffer.from(`o:${next}`).toString('base64url') } : { page };
}
