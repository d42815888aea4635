// Runs in a worker thread (see gce-clients.ts): parse the full protos.json, answer with the pruned tree.
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { pruneComputeProtos } from './compute-protos.ts';

const { path, services } = workerData as { path: string; services: string[] };
parentPort!.postMessage(pruneComputeProtos(JSON.parse(readFileSync(path, 'utf8')), services));
