/**
 * A sliver of the Cloud Storage JSON API (what exports read): bucket get/insert, object metadata, and
 * a download of an object by a (V4 signed) URL. Objects appear when a fake export build succeeds.
 */

export interface FakeBucket {
  name: string;
  location: string;
  project?: string;
  timeCreated: Date;
}

export interface FakeObject {
  bucket: string;
  name: string;
  size: number;
  contentType: string;
  updated: Date;
}

export interface GcsReply {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

function gcsError(code: number, reason: string, message: string): GcsReply {
  return { status: code, body: { error: { code, message, errors: [{ message, domain: 'global', reason }] } } };
}

/** `gs://bucket/a/b.vmdk` → { bucket, object }. */
export function parseGsUri(uri: string): { bucket: string; object: string } | null {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  return m ? { bucket: m[1]!, object: m[2]! } : null;
}

export class FakeGcs {
  readonly buckets = new Map<string, FakeBucket>();
  readonly objects = new Map<string, FakeObject>();
  readonly #now: () => Date;
  readonly #projectNumber: string;

  constructor(opts: { now: () => Date; projectNumber: string }) {
    this.#now = opts.now;
    this.#projectNumber = opts.projectNumber;
  }

  addBucket(name: string, location = 'US', project?: string): FakeBucket {
    const bucket = { name, location: location.toUpperCase(), project, timeCreated: this.#now() };
    this.buckets.set(name, bucket);
    return bucket;
  }

  putObject(bucket: string, name: string, size: number, contentType = 'application/octet-stream'): FakeObject {
    const obj = { bucket, name, size, contentType, updated: this.#now() };
    this.objects.set(`${bucket}/${name}`, obj);
    return obj;
  }

  object(bucket: string, name: string): FakeObject | undefined {
    return this.objects.get(`${bucket}/${name}`);
  }

  #bucketJson(b: FakeBucket) {
    const multi = ['US', 'EU', 'ASIA'].includes(b.location);
    return {
      kind: 'storage#bucket',
      id: b.name,
      name: b.name,
      projectNumber: this.#projectNumber,
      location: b.location,
      locationType: multi ? 'multi-region' : 'region',
      storageClass: 'STANDARD',
      timeCreated: b.timeCreated.toISOString(),
      updated: b.timeCreated.toISOString(),
    };
  }

  #objectJson(o: FakeObject, baseUrl: string) {
    const path = `b/${encodeURIComponent(o.bucket)}/o/${encodeURIComponent(o.name)}`;
    return {
      kind: 'storage#object',
      id: `${o.bucket}/${o.name}/1`,
      selfLink: `${baseUrl}/storage/v1/${path}`,
      mediaLink: `${baseUrl}/download/storage/v1/${path}?alt=media`,
      name: o.name,
      bucket: o.bucket,
      generation: '1',
      metageneration: '1',
      contentType: o.contentType,
      storageClass: 'STANDARD',
      size: String(o.size),
      timeCreated: o.updated.toISOString(),
      updated: o.updated.toISOString(),
    };
  }

  /** Answers `/storage/v1/…` and `/{bucket}/{object}` (signed downloads); undefined when the path is not ours. */
  handle(method: string, url: URL, body: Record<string, unknown>, baseUrl: string): GcsReply | undefined {
    const path = url.pathname;
    let m = /^\/storage\/v1\/b\/([^/]+)\/o\/(.+)$/.exec(path);
    if (m && method === 'GET') {
      const obj = this.object(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
      if (!obj) return gcsError(404, 'notFound', `No such object: ${decodeURIComponent(m[1]!)}/${decodeURIComponent(m[2]!)}`);
      return { status: 200, body: this.#objectJson(obj, baseUrl) };
    }
    m = /^\/storage\/v1\/b\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const bucket = this.buckets.get(decodeURIComponent(m[1]!));
      return bucket ? { status: 200, body: this.#bucketJson(bucket) } : gcsError(404, 'notFound', 'The specified bucket does not exist.');
    }
    if (path === '/storage/v1/b' && method === 'POST') {
      const name = typeof body.name === 'string' ? body.name : '';
      if (!/^[a-z0-9][-a-z0-9_.]{1,61}[a-z0-9]$/.test(name)) return gcsError(400, 'invalid', `Invalid bucket name: '${name}'`);
      if (this.buckets.has(name)) return gcsError(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.');
      const location = typeof body.location === 'string' ? body.location : 'US';
      return { status: 200, body: this.#bucketJson(this.addBucket(name, location, url.searchParams.get('project') ?? undefined)) };
    }
    // A download by signed URL: the signature itself is not checked, its presence is.
    m = /^\/([^/]+)\/(.+)$/.exec(path);
    if (m && method === 'GET' && url.searchParams.has('X-Goog-Signature')) {
      const obj = this.object(decodeURIComponent(m[1]!), decodeURIComponent(m[2]!));
      if (!obj) return { status: 404, body: 'NoSuchKey', headers: { 'content-type': 'application/xml' } };
      const text = `Fake export of ${obj.name} (${obj.size} bytes in a real bucket).\n`;
      return { status: 200, body: text, headers: { 'content-type': 'text/plain', 'x-goog-stored-content-length': String(obj.size) } };
    }
    return undefined;
  }
}
