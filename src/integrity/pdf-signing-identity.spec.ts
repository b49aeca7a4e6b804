import { execFile } from 'node:child_process';
import { createHash, generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadConfig } from '../config/app-config';
import {
  BYTE_RANGE_PLACEHOLDER,
  type PdfSigningIdentity,
  signPdfBuffer,
  verifyPdfSignature,
} from './pdf-signature';
import { PDF_SIGNING_FILE_NAME, openPdfSigningIdentity } from './pdf-signing-identity';

const run = promisify(execFile);
const openssl = (args: string[]) => run('openssl', args);

/** The smallest file with Attest's signature placeholder: what PdfSigner fills in. */
function placeholderPdf(bytes: number): Buffer {
  return Buffer.from(
    `%PDF-1.3\n1 0 obj\n<<\n/Type /Sig\n/SubFilter /ETSI.CAdES.detached\n${BYTE_RANGE_PLACEHOLDER}\n/Contents <${'00'.repeat(bytes)}>\n/Name (Attest)\n>>\nendobj\n%%EOF\n`,
    'latin1',
  );
}

/** What it signs verifies with its own certificate (answering the file's digest); a changed byte does not. */
async function signsAndVerifies(identity: PdfSigningIdentity): Promise<void> {
  const pdf = placeholderPdf(identity.placeholderBytes);
  const sha256 = await signPdfBuffer(pdf, identity);
  expect(sha256).toBe(createHash('sha256').update(pdf).digest('hex'));
  const check = verifyPdfSignature(pdf);
  expect(check).toMatchObject({ ok: true, certificateSha256: identity.certificateSha256 });
  const changed = Buffer.from(pdf);
  changed[3] ^= 1;
  expect(verifyPdfSignature(changed)).toEqual({
    ok: false,
    change: expect.stringContaining('bytes outside the signature differ'),
  });
}

describe('the PDF signing certificate and key', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-pdf-signing-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('is created once in the data dir (self-signed RSA), owner-readable only, the same after', async () => {
    const first = await openPdfSigningIdentity({ dataDir: dir, logId: 'acme' });
    expect((await stat(join(dir, PDF_SIGNING_FILE_NAME))).mode & 0o777).toBe(0o600);
    const again = await openPdfSigningIdentity({ dataDir: dir, logId: 'acme' });
    expect(again.certificateSha256).toBe(first.certificateSha256);
    expect(first.privateKey.asymmetricKeyType).toBe('rsa');
    await signsAndVerifies(again);
  });

  it('takes a configured PEM certificate and EC key, and a PKCS#12 file with its passphrase', async () => {
    const key = join(dir, 'key.pem');
    const cert = join(dir, 'cert.pem');
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      key,
      '-out',
      cert,
      '-subj',
      '/CN=Acme Bank PDF signing',
      '-days',
      '2',
    ]);
    const pem = await openPdfSigningIdentity({
      certFile: cert,
      keyFile: key,
      dataDir: 'memory://',
      logId: 'acme',
    });
    expect(pem.privateKey.asymmetricKeyType).toBe('ec');
    await signsAndVerifies(pem);

    const p12 = join(dir, 'signing.p12');
    const exportArgs = [
      'pkcs12',
      '-export',
      '-inkey',
      key,
      '-in',
      cert,
      '-out',
      p12,
      '-passout',
      'pass:s3cret',
    ];
    // -legacy on OpenSSL 3, and without it where the build lacks the legacy provider.
    const legacy = (await openssl(['version'])).stdout.startsWith('OpenSSL 3') ? ['-legacy'] : [];
    await openssl([...exportArgs, ...legacy]).catch(() => openssl(exportArgs));
    const fromP12 = await openPdfSigningIdentity({
      p12File: p12,
      p12Passphrase: 's3cret',
      dataDir: 'memory://',
      logId: 'acme',
    });
    expect(fromP12.certificateSha256).toBe(pem.certificateSha256);
    await signsAndVerifies(fromP12);
    await expect(
      openPdfSigningIdentity({
        p12File: p12,
        p12Passphrase: 'wrong',
        dataDir: 'memory://',
        logId: 'acme',
      }),
    ).rejects.toThrow(/PDF_SIGNING_P12_PASSPHRASE/);
  });

  it('refuses a key its certificate does not match, and an Ed25519 key PDF readers cannot check', async () => {
    const cert = join(dir, 'cert.pem');
    const key = join(dir, 'key.pem');
    await openssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(dir, 'own.pem'),
      '-out',
      cert,
      '-subj',
      '/CN=other',
      '-days',
      '2',
    ]);
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
    await writeFile(key, other.export({ type: 'pkcs8', format: 'pem' }));
    await expect(
      openPdfSigningIdentity({ certFile: cert, keyFile: key, dataDir: 'memory://', logId: 'x' }),
    ).rejects.toThrow('no PDF signing certificate matches the PDF signing key');
    const ed = generateKeyPairSync('ed25519').privateKey;
    await writeFile(key, ed.export({ type: 'pkcs8', format: 'pem' }));
    await expect(
      openPdfSigningIdentity({ certFile: cert, keyFile: key, dataDir: 'memory://', logId: 'x' }),
    ).rejects.toThrow('must be RSA or EC');
    expect(await readFile(cert, 'utf8')).toContain('BEGIN CERTIFICATE');
  });

  it('config names the variable: a missing file, a certificate without its key, both sources', () => {
    expect(() => loadConfig({ PDF_SIGNING_CERT_FILE: join(dir, 'nope.pem') })).toThrow(
      /^PDF_SIGNING_CERT_FILE=.* does not exist/,
    );
    expect(() => loadConfig({ PDF_SIGNING_CERT_FILE: __filename })).toThrow(
      'PDF_SIGNING_CERT_FILE and PDF_SIGNING_KEY_FILE go together',
    );
    expect(() =>
      loadConfig({
        PDF_SIGNING_CERT_FILE: __filename,
        PDF_SIGNING_KEY_FILE: __filename,
        PDF_SIGNING_P12_FILE: __filename,
      }),
    ).toThrow('PDF_SIGNING_P12_FILE and PDF_SIGNING_CERT_FILE are both set');
    expect(() => loadConfig({ PUBLIC_URL: 'attest.example' })).toThrow(/^PUBLIC_URL=/);
    expect(loadConfig({ PUBLIC_URL: 'https://attest.example/' }).integrity.publicUrl).toBe(
      'https://attest.example',
    );
  });
});
