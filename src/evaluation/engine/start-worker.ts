import { extname } from 'node:path';
import { Worker } from 'node:worker_threads';

/**
 * Starts the worker thread whose entry is `entry` (a path without its extension) beside these
 * files: compiled JavaScript in production (dist/), TypeScript under ts-jest and ts-node. A
 * TypeScript entry is loaded through ts-node's transpile-only hook by a small CommonJS loader
 * (`eval`): given a .ts path itself, Node's ESM loader refuses the extension, whatever `--require`
 * the worker's execArgv names.
 */
export function startWorker(entry: string, workerData: unknown): Worker {
  const file = `${entry}${extname(__filename)}`;
  if (!file.endsWith('.ts')) return new Worker(file, { workerData });
  const loader = `require('ts-node/register/transpile-only');\nrequire(${JSON.stringify(file)});`;
  return new Worker(loader, { eval: true, workerData });
}
