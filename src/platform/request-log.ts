import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Sees every request object handed to a Google client, before the library serialises it: `service` is
 * the protobuf service (`google.cloud.compute.v1.Instances`), `method` the client's (`insert`).
 */
export type RequestTap = (service: string, method: string, request: object) => void;

/**
 * Test-only (DEMO_VM_CONTRACT_LOG): each request as a JSON line in a file of this process, which the
 * schema contract check reads once the whole test run is over.
 */
export function fileRequestTap(dir: string): RequestTap {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `requests-${process.pid}.jsonl`);
  return (service, method, request) => appendFileSync(file, `${JSON.stringify({ service, method, request })}\n`);
}
