import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestApp, startTestApp } from '../support/test-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const BIN = join(ROOT, 'node_modules', '.bin');

interface Problem {
  severity: 'error' | 'warn';
  ruleId: string;
  message: string;
  pointer: string;
}

interface OpenApi {
  paths: Record<
    string,
    { get?: { responses: Record<string, { content?: Record<string, { example?: unknown }> }> } }
  >;
}

/**
 * Warnings of Redocly's `recommended` rules the document keeps on purpose, each with its reason.
 * Any other problem, warning or error, fails the test.
 */
const ACCEPTED_WARNINGS: Record<string, string> = {
  'info-license': 'the service is not licensed for distribution (package.json: UNLICENSED)',
};

/** Redocly's `recommended` rules over the document (tests/tools/openapi-lint.mjs). */
async function lint(file: string): Promise<Problem[]> {
  const { stdout } = await run(
    process.execPath,
    [join(ROOT, 'tests/tools/openapi-lint.mjs'), file],
    {
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(stdout) as Problem[];
}

/**
 * Code a client writes against the generated types: path parameters and the fields of a few
 * answers. It compiles only if the document declares every path parameter and describes those
 * answers field by field (an object left as `{}` or `additionalProperties` types its fields
 * `unknown`).
 */
const USAGE = `import type { paths } from './schema';

type Inclusion = paths['/api/v1/ledger/proofs/inclusion/{eventId}']['get'];
export const inclusionPath: Inclusion['parameters']['path'] = {
  eventId: '0190f1a2-0000-7000-8000-000000000000',
};
export function checkpointSize(
  proof: Inclusion['responses'][200]['content']['application/json'],
): number {
  const leaf: number = proof.leafIndex;
  return proof.checkpoint === null ? leaf + 1 : proof.checkpoint.treeSize;
}

type Evidence =
  paths['/api/v1/models/{name}/versions/{version}/audit-packs/{packId}/evidence']['get'];
export const evidencePath: Evidence['parameters']['path'] = {
  name: 'credit-risk',
  version: '1.4.0',
  packId: '0190f1a2-0000-7000-8000-000000000000',
};
export function pdfDigest(bundle: Evidence['responses'][200]['content']['application/json']): string {
  const leaves: number[] = bundle.events.map((event) => event.leafIndex);
  const signer: string = bundle.events[0].metadata.actor.sub;
  return [bundle.pdf.sha256, leaves.length, signer, bundle.checkpoint.rootHash].join(' ');
}

type Report =
  paths['/api/v1/compliance/reports/{report}']['get']['responses'][200]['content']['application/json'];
export function summary(report: Report): string[] {
  const counts: number[] = report.obligations.flatMap((o) => o.evidence.map((e) => e.count));
  const size: number = report.checkpoint.treeSize;
  const lines = [report.period.from + '..' + report.period.to, String(counts.length + size)];
  if (report.report === 'asic-model-governance') {
    return [...lines, ...report.openFindings.map((f) => f.finding)];
  }
  return [...lines, ...report.adm.entries.flatMap((entry) => entry.gaps)];
}

type Version = paths['/api/v1/models/{name}/versions/{version}']['get'];
export function retiredOn(
  version: Version['responses'][200]['content']['application/json'],
): string | null {
  return version.retirement === null ? null : version.retirement.retiredAt;
}
`;

describe('the OpenAPI document', () => {
  let test: TestApp;
  let directory: string;
  let file: string;
  let document: OpenApi;

  beforeAll(async () => {
    test = await startTestApp();
    directory = await mkdtemp(join(tmpdir(), 'attest-openapi-'));
    const response = await test.http().get('/api/docs-json').expect(200);
    document = response.body as OpenApi;
    file = join(directory, 'openapi.json');
    await writeFile(file, response.text);
  });
  afterAll(async () => {
    await test.close();
    await rm(directory, { recursive: true, force: true });
  });

  it('passes Redocly’s recommended rules: no errors, every example fits its schema, no other warning', async () => {
    const problems = await lint(file);
    const refused = problems
      .filter((p) => p.severity === 'error' || !(p.ruleId in ACCEPTED_WARNINGS))
      .map((p) => `${p.severity} ${p.ruleId} at ${p.pointer}: ${p.message}`);
    expect(refused).toEqual([]);
  });

  it('gives every JSON read an example answer, recorded from a real run', () => {
    let checked = 0;
    for (const [path, operations] of Object.entries(document.paths)) {
      const media = operations.get?.responses['200']?.content?.['application/json'];
      if (!media) continue;
      expect({ path, example: media.example !== undefined }).toEqual({ path, example: true });
      checked++;
    }
    expect(checked).toBeGreaterThanOrEqual(30);
  });

  it('generates a TypeScript client (openapi-typescript) that compiles under --strict', async () => {
    await run(join(BIN, 'openapi-typescript'), [file, '-o', join(directory, 'schema.ts')]);
    await writeFile(join(directory, 'usage.ts'), USAGE);
    // Run in the scratch directory: no tsconfig.json or @types of this repository apply.
    const compiled = await run(
      join(BIN, 'tsc'),
      [
        '--noEmit',
        '--strict',
        '--target',
        'ES2022',
        '--module',
        'commonjs',
        'schema.ts',
        'usage.ts',
      ],
      { cwd: directory },
    ).then(
      () => '',
      (error: { stdout?: string; message: string }) => error.stdout || error.message,
    );
    expect(compiled).toBe('');
  });
});
