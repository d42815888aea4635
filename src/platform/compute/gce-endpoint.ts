/**
 * Where a Google client (compute, Cloud Build) connects, as documented gax client options. Loads
 * google-gax: only the worker's adapters import this (Cloud Build's on first use).
 */
import type { InstancesClient } from '@google-cloud/compute';
import { googleAuthLibrary } from 'google-gax';

export type ClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

/** Client options for an endpoint; exported for other GCP clients that must reach the same place. */
export function clientOptions(apiEndpoint?: string): ClientOptions {
  if (!apiEndpoint) return {};
  if (/^https?:\/\//.test(apiEndpoint)) {
    const u = new URL(apiEndpoint);
    const port = u.port ? Number(u.port) : u.protocol === 'http:' ? 80 : 443;
    if (u.protocol === 'https:') return { apiEndpoint: u.hostname, port };
    // An emulator: plain HTTP, no Google credentials (without an auth client gax would look for ADC).
    return { apiEndpoint: u.hostname, port, protocol: 'http', authClient: new googleAuthLibrary.PassThroughClient() };
  }
  return { apiEndpoint };
}
