/**
 * What exports need from Cloud Storage: a bucket's location (to name the scratch bucket as gcloud
 * does), creating that bucket, an object's size, and a V4 signed download URL. One adapter over
 * @google-cloud/storage: against Google with ADC, or against a local fake with a throwaway service
 * account key made here — V4 signing is offline, so the library's real signing code runs either way.
 */
import { generateKeyPairSync } from 'node:crypto';
import type { Storage } from '@google-cloud/storage';
import { GcpError } from '../platform/compute/port.ts';
import { MAX_SIGNED_URL_DAYS, type ExportStorage, type SignedUrl } from './ports.ts';

function parseUri(uri: string): { bucket: string; object: string } {
  const m = /^gs:\/\/([^/]+)\/(.+)$/.exec(uri);
  if (!m) throw new Error(`not a gs:// object URI: ${uri}`);
  return { bucket: m[1]!, object: m[2]! };
}

/** Storage's ApiError as a GcpError kind, so transient ones are retried and the rest explained. */
function storageError(e: unknown, what: string): GcpError {
  const code = (e as { code?: unknown }).code;
  const status = typeof code === 'number' ? code : undefined;
  const kind =
    status === 404
      ? 'not_found'
      : status === 403 || status === 401
        ? 'permission'
        : status === 429
          ? 'rate_limited'
          : status === 409
            ? 'conflict'
            : status === undefined || status >= 500
              ? 'unavailable'
              : 'invalid';
  return new GcpError(kind, `Cloud Storage refused to ${what}: ${(e as Error).message}`, { httpStatus: status, cause: e });
}

/**
 * GoogleAuth that signs with a key it holds and never asks the metadata server who it is. google-gax
 * is loaded here, on first use, not when this module is imported (views read its constants).
 */
async function keyAuth(email: string, key: string) {
  const { googleAuthLibrary } = await import('google-gax');
  class KeyAuth extends googleAuthLibrary.GoogleAuth {
    override getCredentials(): never {
      return Promise.resolve({ client_email: email }) as never;
    }
  }
  return new KeyAuth({ authClient: new googleAuthLibrary.JWT({ email, key }) });
}

export class GcsExportStorage implements ExportStorage {
  readonly #make: (S: typeof Storage) => Storage | Promise<Storage>;
  #made?: Promise<Storage>;

  /**
   * The library is loaded and the client made on first use: an app that never exports keeps
   * @google-cloud/storage out of memory, makes no key and reads no credentials.
   */
  constructor(make: (S: typeof Storage) => Storage | Promise<Storage>) {
    this.#make = make;
  }

  get #storage(): Promise<Storage> {
    this.#made ??= import('@google-cloud/storage').then(({ Storage: S }) => this.#make(S));
    return this.#made;
  }

  async bucketLocation(bucket: string): Promise<string | null> {
    try {
      const [meta] = await (await this.#storage).bucket(bucket).getMetadata();
      return meta.location ?? null;
    } catch (e) {
      const err = storageError(e, `read bucket ${bucket}`);
      if (err.kind === 'not_found') return null;
      throw err;
    }
  }

  async ensureBucket(name: string, location: string | null): Promise<void> {
    // Looked up first, so a scratch bucket an admin made in advance needs no storage.buckets.create.
    if ((await this.bucketLocation(name)) !== null) return;
    try {
      await (await this.#storage).createBucket(name, location ? { location } : {});
    } catch (e) {
      const err = storageError(e, `create bucket ${name}`);
      if (err.kind !== 'conflict') throw err; // 409: it exists (gcloud's CreateBucketIfNotExists)
    }
  }

  async objectSize(uri: string): Promise<number | null> {
    const { bucket, object } = parseUri(uri);
    try {
      const [meta] = await (await this.#storage).bucket(bucket).file(object).getMetadata();
      const n = Number(meta.size);
      return Number.isFinite(n) ? n : null;
    } catch (e) {
      const err = storageError(e, `read ${uri}`);
      if (err.kind === 'not_found') return null;
      throw err;
    }
  }

  async signedUrl(uri: string, days: number): Promise<SignedUrl> {
    const { bucket, object } = parseUri(uri);
    const granted = Math.min(Math.max(1, Math.floor(days)), MAX_SIGNED_URL_DAYS);
    // Google checks the link against real time, so real time it is (not the app's test clock).
    const accessibleAt = new Date();
    const expiresAt = new Date(accessibleAt.getTime() + granted * 86_400_000);
    try {
      const [url] = await (await this.#storage).bucket(bucket).file(object).getSignedUrl({ version: 'v4', action: 'read', accessibleAt, expires: expiresAt });
      return { url, expiresAt, days: granted, clamped: granted < days };
    } catch (e) {
      throw storageError(e, `sign a download link for ${uri}`);
    }
  }
}

/**
 * Google Cloud Storage with ADC (signing then goes through IAM signBlob unless the credentials hold a
 * key), or an emulator at an http:// endpoint with a key generated for this process.
 */
export function createExportStorage(opts: { project: string; apiEndpoint?: string }): GcsExportStorage {
  const { project, apiEndpoint } = opts;
  if (apiEndpoint?.startsWith('http://')) {
    return new GcsExportStorage(async (Storage) => {
      const { privateKey } = generateKeyPairSync('rsa', {
        modulusLength: 2048,
        privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
        publicKeyEncoding: { type: 'spki', format: 'pem' },
      });
      const authClient = await keyAuth(`demo-vm-local-signer@${project}.iam.gserviceaccount.com`, privateKey);
      return new Storage({ projectId: project, apiEndpoint, authClient });
    });
  }
  return new GcsExportStorage((Storage) => new Storage({ projectId: project, ...(apiEndpoint ? { apiEndpoint } : {}) }));
}
