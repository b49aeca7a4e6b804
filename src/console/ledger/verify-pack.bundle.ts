import { buildSync } from 'esbuild';
import { join } from 'node:path';
import { packageRoot } from '../../integrity/verifier.http.controller';

const BROWSER = join(packageRoot(), 'src', 'console', 'ledger', 'browser');

/**
 * The in-browser pack verifier as one script (README, "Console"), bundled by esbuild from
 * browser/verify-pack.ts with the shared checks of src/integrity/evidence-checks.ts: jose's
 * browser build (WebCrypto), and node:crypto swapped for a stub that refuses, since the browser
 * hashes through WebCrypto. Built on its first request; the assets controller caches it.
 */
export function verifyPackScript(): string {
  const result = buildSync({
    entryPoints: [join(BROWSER, 'verify-pack.ts')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: ['chrome120', 'firefox121', 'safari17'],
    minify: true,
    legalComments: 'inline',
    alias: { 'node:crypto': join(BROWSER, 'no-node-crypto.ts') },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
