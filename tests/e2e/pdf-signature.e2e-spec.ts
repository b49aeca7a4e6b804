import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import PDFDocument from 'pdfkit';
import { VERIFIER_BUNDLE } from '../../src/integrity/verifier.http.controller';
import { caughtUp } from '../support/events';
import { binary, flowing, pdfText } from '../support/pdf';
import { seedSampleHistory } from '../support/sample-history';
import { TestApp, startTestApp } from '../support/test-app';

const ROOT = join(__dirname, '../..');
const run = promisify(execFile);

interface Run {
  code: number;
  out: string;
}

/** A command in `cwd` with only PATH (node's directory first): no NODE_PATH, no checkout. */
function inDir(cwd: string, command: string, args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd,
      env: { PATH: `${dirname(process.execPath)}:/usr/bin:/bin` },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? -1, out }));
  });
}

/** poppler's pdfsig on a file: its report, whatever its exit status. */
async function pdfsig(file: string): Promise<string> {
  try {
    const { stdout, stderr } = await run('pdfsig', [file]);
    return stdout + stderr;
  } catch (error) {
    const failed = error as { stdout?: string; stderr?: string };
    return `${failed.stdout ?? ''}${failed.stderr ?? ''}`;
  }
}

/** The PDF with the byte at `at` changed (to another printable byte). */
function flipped(pdf: Buffer, at: number): Buffer {
  const copy = Buffer.from(pdf);
  copy[at] = copy[at] === 0x30 ? 0x31 : copy[at] === 0x41 ? 0x42 : 0x30 + ((copy[at] + 1) % 10);
  if (copy[at] === pdf[at]) copy[at] ^= 0x01;
  return copy;
}

/** Where the stream of the first object matching `dictionary` starts and ends. */
function streamOf(pdf: Buffer, dictionary: RegExp): { start: number; end: number } {
  const text = pdf.toString('latin1');
  const match = dictionary.exec(text);
  if (!match) throw new Error(`no object matches ${String(dictionary)}`);
  const start = text.indexOf('stream\n', match.index) + 'stream\n'.length;
  return { start, end: text.indexOf('\nendstream', start) };
}

describe('PDFs signed inside the file, and the one-file verifier', () => {
  let test: TestApp;
  let officer: string;
  let url: string;
  let work: string;
  let pack: Buffer;
  let report: Buffer;

  beforeAll(async () => {
    // What `npm run build` serves: the test checks the file the service hands out.
    await run(
      process.execPath,
      [process.env.npm_execpath ?? 'npm', 'run', '-s', 'build:verifier'],
      {
        cwd: ROOT,
      },
    ).catch(() => run('npm', ['run', '-s', 'build:verifier'], { cwd: ROOT }));
    test = await startTestApp({ env: { LEDGER_LOG_ID: 'acme-bank' } });
    officer = `Bearer ${await test.token('carol', ['compliance-officer'])}`;
    const { position } = await seedSampleHistory(test);
    await caughtUp(test, position);
    await test.app.listen(0, '127.0.0.1');
    url = (await test.app.getUrl()).replace('[::1]', '127.0.0.1');
    // Outside the repository: no node_modules above it.
    work = await mkdtemp(join(tmpdir(), 'attest-regulator-'));
    const download = async (path: string) => {
      const response = await fetch(`${url}/api/v1${path}`, { headers: { Authorization: officer } });
      expect(response.status).toBe(200);
      return Buffer.from(await response.arrayBuffer());
    };
    pack = await download('/models/scorer/versions/1.0.0/audit-pack');
    report = await download('/compliance/reports/asic-model-governance?format=pdf');
    await writeFile(join(work, 'pack.pdf'), pack);
    await writeFile(join(work, 'report.pdf'), report);
  });
  afterAll(async () => {
    await test?.close();
    if (work) await rm(work, { recursive: true, force: true });
  });

  it('serves the verifier with no token, cacheable, with its digest, as built', async () => {
    const response = await test
      .anonymous()
      .get('/api/v1/verifier/attest-verify.js')
      .buffer(true)
      .parse(binary)
      .expect(200);
    const body = response.body as Buffer;
    expect(response.headers['content-type']).toContain('text/javascript');
    expect(response.headers['cache-control']).toBe('public, max-age=3600');
    expect(response.headers['attest-content-sha256']).toBe(
      createHash('sha256').update(body).digest('hex'),
    );
    expect(body.equals(await readFile(join(ROOT, VERIFIER_BUNDLE)))).toBe(true);
  });

  it('pdfsig finds one valid signature covering the whole pack and report, and none after a change', async () => {
    for (const name of ['pack.pdf', 'report.pdf']) {
      const signed = await pdfsig(join(work, name));
      expect({ name, signed }).toEqual({
        name,
        signed: expect.stringContaining('Signature is Valid.'),
      });
      expect(signed).toContain('Total document signed');
      expect(signed).toContain('ETSI.CAdES.detached');
    }
    const page = streamOf(pack, /\/Length \d+\n\/Filter \/FlateDecode\n>>/);
    await writeFile(join(work, 'changed.pdf'), flipped(pack, page.start + 10));
    const changed = await pdfsig(join(work, 'changed.pdf'));
    expect(changed).not.toContain('Signature is Valid.');
    expect(changed).toMatch(/Signature is Invalid|Digest Mismatch/);
  });

  it('the cover prints the commands that check the pack, and they pass exactly as printed', async () => {
    for (const [name, pdf] of [
      ['pack.pdf', pack],
      ['report.pdf', report],
    ] as const) {
      const text = flowing((await pdfText(pdf)).text);
      const curl = new RegExp(`curl -O ${url}/api/v1/verifier/attest-verify\\.js`).exec(text);
      const node = new RegExp(
        `node attest-verify\\.js <this PDF> --jwks ${url}/\\.well-known/jwks\\.json`,
      ).exec(text);
      expect({ name, curl: curl?.[0], node: node?.[0] }).toEqual({
        name,
        curl: expect.any(String),
        node: expect.any(String),
      });
      const dir = await mkdtemp(join(tmpdir(), 'attest-cover-'));
      try {
        await copyFile(join(work, name), join(dir, name));
        for (const line of [curl![0], node![0].replace('<this PDF>', name)]) {
          const result = await inDir(dir, 'sh', ['-c', line]);
          expect({ line, code: result.code }).toEqual({ line, code: 0 });
          if (line.startsWith('node')) {
            expect(result.out).toContain('✓ PDF signature: covers every byte of the file');
            expect(result.out).toContain('✓ PDF certificate: vouched for by key');
            expect(result.out).toMatch(/✓ cited events: (\d+) of \1 match/);
            expect(result.out).toContain('VERIFIED: every check passed');
          }
        }
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    }
  });

  describe('the bundled verifier alone, with plain node outside the repository', () => {
    let jwks: string;
    const verify = (file: string, ...args: string[]) =>
      inDir(work, process.execPath, ['attest-verify.js', file, ...args]);

    beforeAll(async () => {
      await copyFile(join(ROOT, VERIFIER_BUNDLE), join(work, 'attest-verify.js'));
      jwks = join(work, 'jwks.json');
      const keys = await fetch(`${url}/.well-known/jwks.json`);
      await writeFile(jwks, Buffer.from(await keys.arrayBuffer()));
    });

    it('passes the genuine pack against saved keys, and says what it could not prove without them', async () => {
      const withKeys = await verify('pack.pdf', '--jwks', jwks);
      expect(withKeys.out).toContain('VERIFIED');
      expect(withKeys.code).toBe(0);
      const alone = await verify('pack.pdf');
      expect(alone.out).toContain('the keys inside the bundle (pass --jwks');
      expect(alone.code).toBe(0);
    });

    it('a byte changed in the attached evidence: exit 1, the evidence was changed (not a zlib error)', async () => {
      const evidence = streamOf(pack, /\/Type \/EmbeddedFile\n/);
      for (const at of [evidence.start + 2, Math.floor((evidence.start + evidence.end) / 2)]) {
        await writeFile(join(work, 'evidence-changed.pdf'), flipped(pack, at));
        const result = await verify('evidence-changed.pdf', '--jwks', jwks);
        expect({ at, code: result.code }).toEqual({ at, code: 1 });
        expect(result.out).toMatch(/FAILED: The attached evidence was changed: /);
        expect(result.out).toContain('✗ the file was changed after signing');
      }
    });

    it('a byte changed in the page content or the header: exit 1, bytes outside the signature differ', async () => {
      const page = streamOf(pack, /\/Length \d+\n\/Filter \/FlateDecode\n>>/);
      for (const at of [page.start + 5, 1]) {
        await writeFile(join(work, 'page-changed.pdf'), flipped(pack, at));
        const result = await verify('page-changed.pdf', '--jwks', jwks);
        expect({ at, code: result.code }).toEqual({ at, code: 1 });
        expect(result.out).toContain(
          'FAILED: The file was changed after signing: bytes outside the signature differ',
        );
      }
    });

    it('the evidence attachment taken out of a signed pack: exit 1, the evidence was removed', async () => {
      const text = pack.toString('latin1');
      const at = text.indexOf('/Type /EmbeddedFile');
      const removed = Buffer.from(pack);
      removed.write('/Type /EmbeddedFilX', at, 'latin1');
      await writeFile(join(work, 'evidence-removed.pdf'), removed);
      const result = await verify('evidence-removed.pdf', '--jwks', jwks);
      expect(result.code).toBe(1);
      expect(result.out).toContain('FAILED: The attached evidence was removed');
    });

    it('a byte changed in the signature, or bytes added at the end: exit 1, naming that', async () => {
      const text = pack.toString('latin1');
      const open = text.indexOf('<', text.indexOf('/Contents <3082')); // DER: SEQUENCE
      for (const at of [open + 1 + 600, open + 1 + 3000, text.indexOf('0000>', open) - 100]) {
        await writeFile(join(work, 'signature-changed.pdf'), flipped(pack, at));
        const result = await verify('signature-changed.pdf', '--jwks', jwks);
        expect({ at, code: result.code }).toEqual({ at, code: 1 });
        expect(result.out).toMatch(/FAILED: The (signature itself|file) was changed/);
      }
      await writeFile(join(work, 'appended.pdf'), Buffer.concat([pack, Buffer.from('%x\n')]));
      const appended = await verify('appended.pdf', '--jwks', jwks);
      expect(appended.code).toBe(1);
      expect(appended.out).toContain('3 bytes were added after the signed end');
    });

    it('fails a pack checked against another service’s keys', async () => {
      const other = join(work, 'other-jwks.json');
      await writeFile(
        other,
        JSON.stringify({
          keys: [
            {
              kty: 'OKP',
              crv: 'Ed25519',
              x: '11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo',
              kid: 'other',
              alg: 'EdDSA',
            },
          ],
        }),
      );
      const result = await verify('pack.pdf', '--jwks', other);
      expect(result.code).toBe(1);
      expect(result.out).toContain("✗ PDF certificate: the ledger's keys do not vouch for it");
    });

    it('exit 2 only for what is not a pack: a text file, a PDF without Attest’s evidence', async () => {
      await writeFile(join(work, 'notes.txt'), 'not a pdf\n');
      const text = await verify('notes.txt');
      expect(text.code).toBe(2);
      expect(text.out).toContain('is not a PDF');
      const plain = new PDFDocument();
      const chunks: Buffer[] = [];
      plain.on('data', (chunk: Buffer) => chunks.push(chunk));
      const ended = new Promise((resolve) => plain.on('end', resolve));
      plain.text('hello');
      plain.end();
      await ended;
      await writeFile(join(work, 'plain.pdf'), Buffer.concat(chunks));
      const other = await verify('plain.pdf');
      expect(other.code).toBe(2);
      expect(other.out).toContain("without Attest's evidence");
    });
  });
});
