import { createHash } from 'node:crypto';
import { inflateSync } from 'node:zlib';
import { CompactSign, type KeyLike } from 'jose';
import {
  type CheckResult,
  type EvidenceBundle,
  type VerifierPlatform,
  type VerifyOptions as CheckOptions,
  PDF_DIGEST_TYPE,
  checkBundle,
} from './evidence-checks';
import { verifyPdfSignature } from './pdf-signature';
import { SIGNING_ALGORITHM } from './signing-key';

/**
 * The machine-readable evidence behind an audit pack or report: every cited event as stored,
 * its inclusion proof, and the signed checkpoint the proofs lead to. Everything here is checked
 * with no service and no database (`npm run verify`): the event's hash from its content, the
 * proof from the hash to the checkpoint's root, the checkpoint's signature from the published
 * keys. The checks themselves are in evidence-checks.ts, shared with the console's in-browser
 * verifier (README, "Console"); here they run with node:crypto.
 */
export {
  BUNDLE_FORMAT,
  PDF_DIGEST_TYPE,
  PDF_SIGNER_TYPE,
  type BundleCheckpoint,
  type CheckResult,
  type CitedEvent,
  type EvidenceBundle,
  type PdfSignerBinding,
} from './evidence-checks';

export interface VerifyOptions extends Omit<CheckOptions, 'pdf' | 'jwksLabel'> {
  /**
   * The PDF itself: its embedded signature (and the certificate's binding in the bundle), and
   * the bundle's or the given detached signature when there is one.
   */
  pdf?: { bytes: Buffer; signature?: string };
}

/** The verifier's platform in Node: node:crypto, node:zlib, and the PDF's CMS signature. */
export const NODE_VERIFIER: VerifierPlatform = {
  sha256: (bytes) => Promise.resolve(createHash('sha256').update(bytes).digest()),
  inflate: (bytes) => Promise.resolve(inflateSync(bytes)),
  pdfSignature: (pdf) => {
    const check = verifyPdfSignature(
      Buffer.isBuffer(pdf) ? pdf : Buffer.from(pdf.buffer, pdf.byteOffset, pdf.byteLength),
    );
    return check.ok
      ? {
          ok: true,
          certificateSubject: check.certificate.subject,
          certificateSha256: check.certificateSha256,
          signedBytes: check.signedBytes,
        }
      : check;
  },
};

/** SHA-256 of a PDF, signed as a detached compact JWS (header..signature). */
export async function signPdfDigest(
  pdf: Buffer | string,
  key: { privateKey: KeyLike; kid: string },
): Promise<string> {
  const digest = typeof pdf === 'string' ? pdf : sha256Hex(pdf);
  const jws = await new CompactSign(new TextEncoder().encode(digest))
    .setProtectedHeader({ alg: SIGNING_ALGORITHM, kid: key.kid, typ: PDF_DIGEST_TYPE })
    .sign(key.privateKey);
  const [header, , signature] = jws.split('.');
  return `${header}..${signature}`;
}

export function sha256Hex(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Checks everything the bundle claims; each check is reported, and any failure fails it all. */
export function verifyBundle(
  bundle: EvidenceBundle,
  options: VerifyOptions = {},
): Promise<{ ok: boolean; checks: CheckResult[] }> {
  return checkBundle(bundle, options, NODE_VERIFIER);
}
