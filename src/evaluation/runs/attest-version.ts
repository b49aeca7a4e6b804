import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

let cached: string | undefined;

/**
 * The running Attest's version, from its package.json (the nearest one above this file, in the
 * source tree and in dist alike): recorded in every evaluation Attest computes (README,
 * "Evaluation runs").
 */
export function attestVersion(): string {
  if (cached !== undefined) return cached;
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    version?: unknown;
  };
  cached = typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  return cached;
}
