import { createHash } from 'node:crypto';
import {
  CompactSign,
  type JSONWebKeySet,
  type KeyLike,
  compactVerify,
  createLocalJWKSet,
} from 'jose';
import type { EventMetadata, EventIntegrity, JsonObject } from '../ledger/event-log.port';
import { eventHash } from '../ledger/hash-chain';
import { CheckpointRejected, type SignedCheckpointFields, verifyCheckpoint } from './checkpoint';
import { leafHash, verifyConsistency, verifyInclusion } from './merkle';
import { NO_PDF_SIGNATURE, type PdfSignatureCheck, verifyPdfSignature } from './pdf-signature';
import { SIGNING_ALGORITHM } from './signing-key';

/**
 * The machine-readable evidence behind an audit pack or report: every cited event as stored,
 * its inclusion proof, and the signed checkpoint the proofs lead to. Everything here is checked
 * with no service and no database (`npm run verify`): the event's hash from its content, the
 * proof from the hash to the checkpoint's root, the checkpoint's signature from the published
 * keys.
 */
export const BUNDLE_FORMAT = 'attest-evidence-bundle/1';
export const PDF_DIGEST_TYPE = 'attest-pdf-digest+jws';
export const PDF_SIGNER_TYPE = 'attest-pdf-signer+jws';

/**
 * In a PDF's bundle: the certificate that signs the PDF itself (its SHA-256), and the checkpoint
 * key's JWS over `{ logId, certificateSha256 }`: whoever trusts the key trusts the certificate.
 */
export interface PdfSignerBinding {
  logId: string;
  certificateSha256: string;
  jws: string;
}

export interface CitedEvent {
  id: string;
  stream: string;
  revision: number;
  type: string;
  data: JsonObject;
  metadata: EventMetadata & { integrity: EventIntegrity };
  recordedAt: string;
  /** Its place in the integrity tree. */
  leafIndex: number;
  /** RFC 9162 audit path to the checkpoint's root, hex. */
  proof: string[];
}

export type BundleCheckpoint = SignedCheckpointFields;

export interface EvidenceBundle {
  format: typeof BUNDLE_FORMAT;
  subject: { kind: string; id: string; title: string };
  generatedAt: string;
  checkpoint: BundleCheckpoint;
  /** The keys as the service published them when the bundle was made: a convenience copy. */
  jwks: JSONWebKeySet;
  events: CitedEvent[];
  /** In the downloadable bundle of a PDF: the PDF's SHA-256 and its detached JWS. */
  pdf?: { sha256: string; signature: string };
  /** In a PDF's bundle: what vouches for the certificate of the PDF's embedded signature. */
  pdfSigner?: PdfSignerBinding;
}

export interface CheckResult {
  ok: boolean;
  /** What was checked, in one line a person can read. */
  what: string;
}

export interface VerifyOptions {
  /** The keys to trust (published at /.well-known/jwks.json); else the bundle's own copy. */
  jwks?: JSONWebKeySet;
  /** An older checkpoint (its JWS) kept by the verifier, and the proof that this one extends it. */
  previous?: { jws: string; consistencyProof: string[] };
  /**
   * The PDF itself: its embedded signature (and the certificate's binding in the bundle), and
   * the bundle's or the given detached signature when there is one.
   */
  pdf?: { bytes: Buffer; signature?: string };
  /** Called for each check as it is made (progress). */
  onCheck?: (result: CheckResult) => void;
}

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
export async function verifyBundle(
  bundle: EvidenceBundle,
  options: VerifyOptions = {},
): Promise<{ ok: boolean; checks: CheckResult[] }> {
  const checks: CheckResult[] = [];
  const note = (ok: boolean, what: string) => {
    const result = { ok, what };
    checks.push(result);
    options.onCheck?.(result);
    return ok;
  };
  if (bundle.format !== BUNDLE_FORMAT) {
    note(false, `format: expected ${BUNDLE_FORMAT}, found ${String(bundle.format)}`);
    return { ok: false, checks };
  }
  const jwks = options.jwks ?? bundle.jwks;
  const keySource = options.jwks
    ? 'the given keys'
    : 'the keys inside the bundle (pass --jwks to check against the published ones)';

  // 1. The checkpoint: signed by a trusted key, and saying what the bundle says it does.
  let root: Buffer | undefined;
  let treeSize = bundle.checkpoint.treeSize;
  try {
    const { payload, kid } = await verifyCheckpoint(bundle.checkpoint.jws, jwks);
    const claims =
      payload.treeSize === bundle.checkpoint.treeSize &&
      payload.rootHash === bundle.checkpoint.rootHash &&
      payload.logId === bundle.checkpoint.logId;
    if (
      note(
        claims,
        claims
          ? `checkpoint signature: log ${payload.logId}, ${payload.treeSize} events, root ${payload.rootHash}, signed ${payload.timestamp} by key ${kid} (${keySource})`
          : 'checkpoint: the signed payload differs from the bundle’s copy of it',
      )
    ) {
      root = Buffer.from(payload.rootHash, 'hex');
      treeSize = payload.treeSize;
    }
  } catch (error) {
    note(false, `checkpoint signature: ${(error as Error).message}`);
  }

  // 2. Each cited event: its hash from its content, and its inclusion under the signed root.
  let eventsOk = 0;
  for (const event of bundle.events) {
    const { integrity, ...metadata } = event.metadata;
    const recomputed = eventHash({
      stream: event.stream,
      revision: BigInt(event.revision),
      id: event.id,
      type: event.type,
      data: event.data,
      metadata,
      prevHash: integrity.prevHash,
    });
    const label = `event ${event.id} (${event.type}, ${event.stream}@${event.revision})`;
    if (recomputed !== integrity.hash) {
      note(
        false,
        `${label}: its content hashes to ${recomputed}, not the recorded ${integrity.hash}: it was altered`,
      );
      continue;
    }
    if (!root) {
      note(false, `${label}: cannot be checked against an unverified checkpoint`);
      continue;
    }
    const included = verifyInclusion(
      event.leafIndex,
      treeSize,
      leafHash(Buffer.from(integrity.hash, 'hex')),
      event.proof.map((p) => Buffer.from(p, 'hex')),
      root,
    );
    if (!included) {
      note(
        false,
        `${label}: its inclusion proof does not lead to the checkpoint's root (leaf ${event.leafIndex})`,
      );
      continue;
    }
    eventsOk += 1;
  }
  note(
    eventsOk === bundle.events.length,
    `cited events: ${eventsOk} of ${bundle.events.length} match their content hash and are included in the signed tree`,
  );

  // 3. Optionally: the checkpoint extends an older one the verifier kept.
  if (options.previous) {
    try {
      const { payload: old } = await verifyCheckpoint(options.previous.jws, jwks);
      const consistent =
        root !== undefined &&
        old.logId === bundle.checkpoint.logId &&
        verifyConsistency(
          old.treeSize,
          treeSize,
          Buffer.from(old.rootHash, 'hex'),
          root,
          options.previous.consistencyProof.map((p) => Buffer.from(p, 'hex')),
        );
      note(
        consistent,
        consistent
          ? `consistency: the tree of ${treeSize} events extends the earlier checkpoint of ${old.treeSize} (signed ${old.timestamp}): nothing before it was changed`
          : `consistency: the tree of ${treeSize} events is NOT shown to extend the earlier checkpoint of ${old.treeSize}`,
      );
    } catch (error) {
      note(
        false,
        `earlier checkpoint: ${error instanceof CheckpointRejected ? error.message : String(error)}`,
      );
    }
  }

  // 4. Optionally: the PDF is the one the service signed: inside the file, and detached.
  if (options.pdf) {
    const embedded = verifyPdfSignature(options.pdf.bytes);
    const detached = options.pdf.signature ?? bundle.pdf?.signature;
    const carriesOne = embedded.ok || embedded.change !== NO_PDF_SIGNATURE;
    if (carriesOne || !detached) {
      if (
        note(embedded.ok, embedded.ok ? pdfSignatureLine(embedded) : embedded.change) &&
        embedded.ok
      ) {
        await checkCertificate(bundle, embedded, jwks, keySource, note);
      }
    }
    if (detached) {
      const digest = sha256Hex(options.pdf.bytes);
      try {
        const [header, , sig] = detached.split('.');
        const attached = `${header}.${Buffer.from(digest).toString('base64url')}.${sig}`;
        const { protectedHeader } = await compactVerify(attached, createLocalJWKSet(jwks), {
          algorithms: [SIGNING_ALGORITHM],
        });
        note(
          protectedHeader.typ === PDF_DIGEST_TYPE,
          `PDF: SHA-256 ${digest} is signed by key ${String(protectedHeader.kid)}`,
        );
      } catch {
        note(
          false,
          `PDF: SHA-256 ${digest} is not what the detached signature covers: the file was changed, or signed by another key`,
        );
      }
    }
  }
  return { ok: checks.every((check) => check.ok), checks };
}

function pdfSignatureLine(check: Extract<PdfSignatureCheck, { ok: true }>): string {
  return `PDF signature: covers every byte of the file but the signature itself (${check.signedBytes} bytes), CMS valid, signed by certificate ${check.certificate.subject.replace(/\n/g, ', ')} (SHA-256 ${check.certificateSha256})`;
}

/** The PDF's certificate is the one the bundle says the checkpoint key vouched for. */
async function checkCertificate(
  bundle: EvidenceBundle,
  embedded: Extract<PdfSignatureCheck, { ok: true }>,
  jwks: JSONWebKeySet,
  keySource: string,
  note: (ok: boolean, what: string) => boolean,
): Promise<void> {
  const binding = bundle.pdfSigner;
  if (!binding) {
    note(false, 'PDF certificate: the evidence does not say which certificate signs the PDF');
    return;
  }
  try {
    const { payload, protectedHeader } = await compactVerify(binding.jws, createLocalJWKSet(jwks), {
      algorithms: [SIGNING_ALGORITHM],
    });
    const vouched = JSON.parse(new TextDecoder().decode(payload)) as Partial<PdfSignerBinding>;
    if (protectedHeader.typ !== PDF_SIGNER_TYPE) throw new Error('not a certificate binding');
    const ok =
      vouched.certificateSha256 === embedded.certificateSha256 &&
      vouched.logId === bundle.checkpoint.logId;
    note(
      ok,
      ok
        ? `PDF certificate: vouched for by key ${String(protectedHeader.kid)} of log ${vouched.logId} (${keySource})`
        : `the PDF was signed with another certificate (SHA-256 ${embedded.certificateSha256}) than the one the ledger's key vouched for (${String(vouched.certificateSha256)})`,
    );
  } catch (error) {
    note(
      false,
      `PDF certificate: the ledger's keys do not vouch for it (${(error as Error).message})`,
    );
  }
}
