import {
  X509Certificate,
  createHash,
  createPrivateKey,
  generateKeyPair,
  type KeyObject,
} from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import forge from 'node-forge';
import { MEMORY_DATA_DIR } from '../config/app-config';
import type { PdfSigningIdentity } from './pdf-signature';

export const PDF_SIGNING_FILE_NAME = 'pdf-signing.pem';

export interface PdfSigningSource {
  /** PEM certificate (the signer's first, then its chain) and PEM private key. */
  certFile?: string;
  keyFile?: string;
  /** Or a PKCS#12 file with its passphrase. */
  p12File?: string;
  p12Passphrase?: string;
  dataDir: string;
  /** Names the generated certificate's subject. */
  logId: string;
}

/**
 * The certificate and key that sign PDFs: PDF_SIGNING_CERT_FILE + PDF_SIGNING_KEY_FILE, or
 * PDF_SIGNING_P12_FILE (+ PDF_SIGNING_P12_PASSPHRASE); otherwise an RSA key with a self-signed
 * certificate created once in the data dir (mode 0600; of two processes starting together one
 * wins), or per process in memory. RSA or EC: NSS (poppler's pdfsig) does not take Ed25519 CMS.
 */
export async function openPdfSigningIdentity(
  source: PdfSigningSource,
): Promise<PdfSigningIdentity> {
  if (source.p12File) {
    return fromP12(await readFile(source.p12File), source.p12Passphrase ?? '');
  }
  if (source.certFile && source.keyFile) {
    return fromPem(
      await readFile(source.certFile, 'utf8'),
      await readFile(source.keyFile, 'utf8'),
      source.certFile,
    );
  }
  if (source.dataDir === MEMORY_DATA_DIR) {
    const [certificate, key] = await selfSigned(source.logId);
    return fromPem(certificate, key, 'the generated certificate');
  }
  const file = join(source.dataDir, PDF_SIGNING_FILE_NAME);
  const stored = await readFile(file, 'utf8').catch(() => undefined);
  if (stored !== undefined) return fromPem(stored, stored, file);
  const [certificate, key] = await selfSigned(source.logId);
  await mkdir(source.dataDir, { recursive: true });
  try {
    await writeFile(file, `${key}${certificate}`, { mode: 0o600, flag: 'wx' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const winner = await readFile(file, 'utf8');
    return fromPem(winner, winner, file);
  }
  return fromPem(certificate, key, file);
}

/** A 2048-bit RSA key (3072 takes seconds to make) and a ten-year self-signed certificate. */
async function selfSigned(logId: string): Promise<[certificate: string, key: string]> {
  const { privateKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const keyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const forgeKey = forge.pki.privateKeyFromPem(keyPem) as forge.pki.rsa.PrivateKey;
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = forge.pki.rsa.setPublicKey(forgeKey.n, forgeKey.e);
  certificate.serialNumber = `01${forge.util.bytesToHex(forge.random.getBytesSync(15))}`;
  const now = new Date();
  certificate.validity.notBefore = new Date(now.getTime() - 60_000);
  certificate.validity.notAfter = new Date(now.getTime() + 10 * 365.25 * 86_400_000);
  const name = [
    { name: 'commonName', value: `Attest audit ledger ${logId}` },
    { name: 'organizationName', value: 'Attest (self-signed)' },
  ];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, nonRepudiation: true },
  ]);
  certificate.sign(forgeKey, forge.md.sha256.create());
  return [forge.pki.certificateToPem(certificate), keyPem];
}

function fromPem(certificates: string, keyPem: string, where: string): PdfSigningIdentity {
  const blocks = certificates.match(
    /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g,
  );
  if (!blocks) throw new Error(`${where} holds no PEM certificate`);
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(keyPem);
  } catch (error) {
    throw new Error(
      `the PDF signing key is not a readable PEM private key (${(error as Error).message})`,
    );
  }
  return identity(
    blocks.map((pem) => new X509Certificate(pem)),
    privateKey,
  );
}

function fromP12(p12: Buffer, passphrase: string): PdfSigningIdentity {
  let parsed: forge.pkcs12.Pkcs12Pfx;
  try {
    parsed = forge.pkcs12.pkcs12FromAsn1(
      forge.asn1.fromDer(p12.toString('binary')),
      false,
      passphrase,
    );
  } catch (error) {
    throw new Error(
      `PDF_SIGNING_P12_FILE cannot be opened (wrong PDF_SIGNING_P12_PASSPHRASE?): ${(error as Error).message}`,
    );
  }
  const bags = (type: string) => parsed.getBags({ bagType: type })[type] ?? [];
  // node-forge reads RSA keys only; it leaves others (EC) as their decrypted PKCS#8 ASN.1.
  const keyBag = [...bags(forge.pki.oids.pkcs8ShroudedKeyBag), ...bags(forge.pki.oids.keyBag)].find(
    (bag) => bag.key || bag.asn1,
  );
  if (!keyBag) throw new Error('PDF_SIGNING_P12_FILE holds no private key');
  const privateKey = keyBag.key
    ? createPrivateKey(forge.pki.privateKeyToPem(keyBag.key))
    : createPrivateKey({
        key: Buffer.from(forge.asn1.toDer(keyBag.asn1!).getBytes(), 'binary'),
        format: 'der',
        type: 'pkcs8',
      });
  const certificates = bags(forge.pki.oids.certBag)
    .map((bag) => (bag.cert ? forge.pki.certificateToAsn1(bag.cert) : bag.asn1))
    .filter((asn1) => asn1 !== undefined)
    .map((asn1) => new X509Certificate(Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary')));
  return identity(certificates, privateKey);
}

/** The certificate that matches the key goes first; the rest are its chain. */
function identity(certificates: X509Certificate[], privateKey: KeyObject): PdfSigningIdentity {
  if (!['rsa', 'ec'].includes(privateKey.asymmetricKeyType ?? '')) {
    throw new Error(
      `the PDF signing key must be RSA or EC (PDF readers do not check ${privateKey.asymmetricKeyType} CMS signatures)`,
    );
  }
  const signer = certificates.find((c) => c.checkPrivateKey(privateKey));
  if (!signer) throw new Error('no PDF signing certificate matches the PDF signing key');
  const ordered = [signer, ...certificates.filter((c) => c !== signer)].map((c) => c.raw);
  return {
    certificates: ordered,
    privateKey,
    certificateSha256: createHash('sha256').update(signer.raw).digest('hex'),
    placeholderBytes: ordered.reduce((sum, c) => sum + c.length, 0) + 2048,
  };
}
