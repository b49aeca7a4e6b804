import { buildSync } from 'esbuild';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The browser sources beside this module: TypeScript when running from a checkout (ts-node,
 * tests), the JavaScript tsc compiled when running from dist (the image ships dist alone).
 */
function browserSource(name: string): string {
  const typescript = join(__dirname, 'browser', `${name}.ts`);
  return existsSync(typescript) ? typescript : join(__dirname, 'browser', `${name}.js`);
}

/**
 * The in-browser pack verifier as one script (README, "Console"), bundled by esbuild from
 * browser/verify-pack.ts with the shared checks of src/integrity/evidence-checks.ts: jose's
 * browser build (WebCrypto), and node:crypto swapped for a stub that refuses, since the browser
 * hashes through WebCrypto. Built on its first request; the assets controller caches it.
 */
export function verifyPackScript(): string {
  const result = buildSync({
    entryPoints: [browserSource('verify-pack')],
    bundle: true,
    write: false,
    platform: 'browser',
    format: 'iife',
    target: ['chrome120', 'firefox121', 'safari17'],
    minify: true,
    legalComments: 'inline',
    alias: { 'node:crypto': browserSource('no-node-crypto') },
    logLevel: 'silent',
  });
  return result.outputFiles[0].text;
}
