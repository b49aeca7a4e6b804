/**
 * Lints an OpenAPI document with Redocly's `recommended` rules: reads the document (JSON) from
 * the file named as the first argument, writes the problems found as a JSON array to stdout, one
 * `{ severity, ruleId, message, pointer }` each. Exits 0 whatever it finds; the caller judges.
 *
 * A separate ES module because @redocly/openapi-core 2 is ESM only and the test runner loads
 * test files as CommonJS (tests/e2e/openapi.e2e-spec.ts runs it as a child process).
 */
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { createConfig, lintFromString } from '@redocly/openapi-core';

const [file] = process.argv.slice(2);
if (!file) {
  process.stderr.write('usage: node tests/tools/openapi-lint.mjs <openapi.json>\n');
  process.exit(2);
}
const config = await createConfig({ extends: ['recommended'] });
const problems = await lintFromString({
  source: await readFile(file, 'utf8'),
  absoluteRef: file,
  config,
});
process.stdout.write(
  JSON.stringify(
    problems.map((problem) => ({
      severity: problem.severity,
      ruleId: problem.ruleId,
      message: problem.message,
      pointer: problem.location.map((at) => at.pointer).join(' '),
    })),
  ),
);
