import { type JSONWebKeySet, compactVerify, createLocalJWKSet } from 'jose';
import type { EventIntegrity, EventMetadata, JsonObject } from '../ledger/event-log.port';
import { hashedText } from '../ledger/hash-chain';
import { CheckpointRejected, type SignedCheckpointFields, verifyCheckpoint } from './checkpoint';
import { consistencyRoots, hashStepsAsync, inclusionRoot } from './merkle-paths';
import { SIGNING_ALGORITHM } from './signing-algorithm';

/**
 * The checks of an audit pack or evidence bundle, written once for every verifier: the CLI
 * (`npm run verify`, src/cli/verify.ts, through evidence-bundle.ts with node:crypto) and the
 * console's in-browser pack verifier (README, "Console", with WebCrypto). Nothing here uses a
 * Node built-in or Buffer: hashing, inflating and the PDF's own (CMS) signature come from the
 * VerifierPlatform each verifier passes in; signatures are checked by jose, which uses
 * node:crypto in Node and WebCrypto in a browser.
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
  /**
   * Set when the verifier could not make this check at all (the browser cannot check a PDF's
   * CMS signature): neither passed nor failed, and said so. The CLI makes every check.
   */
  notChecked?: true;
}

/** What the PDF's embedded signature says, or the one sentence of what was changed. */
export type EmbeddedSignatureCheck =
  | { ok: true; certificateSubject: string; certificateSha256: string; signedBytes: number }
  | { ok: false; change: string };

/** What a verifier brings: hashing and inflating, and the CMS check where it can make it. */
export interface VerifierPlatform {
  sha256(bytes: Uint8Array): Promise<Uint8Array>;
  /** zlib-wrapped deflate (a PDF's FlateDecode); rejects when the data does not inflate. */
  inflate(bytes: Uint8Array): Promise<Uint8Array>;
  /** The PDF's embedded signature; absent where it cannot be checked (a browser). */
  pdfSignature?(pdf: Uint8Array): EmbeddedSignatureCheck;
  /** What a check that cannot be made here says instead (with notChecked set). */
  notCheckedHere?: string;
}

export interface VerifyOptions {
  /** The keys to trust (published at /.well-known/jwks.json); else the bundle's own copy. */
  jwks?: JSONWebKeySet;
  /** How the checks name the trusted keys when given (default: "the given keys"). */
  jwksLabel?: string;
  /** An older checkpoint (its JWS) kept by the verifier, and the proof that this one extends it. */
  previous?: { jws: string; consistencyProof: string[] };
  /**
   * The PDF itself: its embedded signature (and the certificate's binding in the bundle), and
   * the bundle's or the given detached signature when there is one.
   */
  pdf?: { bytes: Uint8Array; signature?: string };
  /** Called for each check as it is made (progress). */
  onCheck?: (result: CheckResult) => void;
}

/** What verifyPdfSignature answers for a PDF with no signature dictionary at all. */
export const NO_PDF_SIGNATURE = 'the PDF carries no signature of its own';

// ---- bytes, without Buffer ----

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export function toHex(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i++) out += HEX[bytes[i]];
  return out;
}

export function fromHex(hex: string): Uint8Array {
  const bytes = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return bytes;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

const B64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

function base64url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64URL[(n >> 18) & 63] + B64URL[(n >> 12) & 63];
    if (i + 1 < bytes.length) out += B64URL[(n >> 6) & 63];
    if (i + 2 < bytes.length) out += B64URL[n & 63];
  }
  return out;
}

/** Each byte as one character (what Buffer#toString('latin1') gives), for the PDF's syntax. */
export function latin1(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    out += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return out;
}

const utf8 = (text: string) => new TextEncoder().encode(text);

export async function sha256Hex(bytes: Uint8Array, platform: VerifierPlatform): Promise<string> {
  return toHex(await platform.sha256(bytes));
}

/** RFC 9162 leaf hash: SHA-256(0x00 || input). */
const leafHashOf = (input: Uint8Array, platform: VerifierPlatform) =>
  platform.sha256(concat(Uint8Array.of(0x00), input));
/** RFC 9162 interior node: SHA-256(0x01 || left || right). */
const nodeHashOf = (platform: VerifierPlatform) => (left: Uint8Array, right: Uint8Array) =>
  platform.sha256(concat(Uint8Array.of(0x01), left, right));

// ---- the PDF's attachments ----

/** A file embedded in a PDF as stored: its bytes, whether deflated, the digest it declares. */
export interface StoredEmbeddedFile {
  raw?: Uint8Array;
  deflated?: boolean;
  /** Why it cannot be read at all. */
  error?: string;
  /** The SHA-256 its /Params record (/AttestSHA256), when it has one. */
  declaredSha256?: string;
}

/**
 * The files embedded in a PDF (/Type /EmbeddedFile streams), as Attest's packs write them:
 * enough for a verifier to take the evidence bundle out of a pack without a PDF library.
 */
export function storedEmbeddedFiles(pdf: Uint8Array, text = latin1(pdf)): StoredEmbeddedFile[] {
  const files: StoredEmbeddedFile[] = [];
  const marker = /\/Type\s*\/EmbeddedFile\b/g;
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    const start = text.lastIndexOf('obj', match.index);
    const streamAt = text.indexOf('stream', match.index);
    if (start < 0 || streamAt < 0) continue;
    const dictionary = text.slice(start, streamAt);
    const declaredSha256 = /\/AttestSHA256\s*\(([0-9a-f]{64})\)/.exec(dictionary)?.[1];
    const length = /\/Length\s+(\d+)/.exec(dictionary);
    if (!length) {
      files.push({ error: 'its stream has no /Length', declaredSha256 });
      continue;
    }
    // The data starts after the end of line that follows the keyword.
    let dataAt = streamAt + 'stream'.length;
    if (text[dataAt] === '\r') dataAt++;
    if (text[dataAt] === '\n') dataAt++;
    files.push({
      raw: pdf.subarray(dataAt, dataAt + Number(length[1])),
      deflated: /\/Filter\s*\/FlateDecode/.test(dictionary),
      declaredSha256,
    });
  }
  return files;
}

/** Whether the file has Attest's signature dictionary (even if bytes elsewhere were changed). */
export function hasAttestSignature(pdf: Uint8Array, text = latin1(pdf)): boolean {
  return /\/Type\s*\/Sig\b/.test(text) && /\/Name\s*\(Attest\)/.test(text);
}

/** The input is not an audit pack, report or evidence bundle at all (the CLI's exit 2). */
export class NotEvidence extends Error {}

/**
 * The evidence bundle attached to a PDF, or the sentence saying how it was changed. A PDF with
 * neither Attest's signature nor an attached bundle is not a pack at all (NotEvidence).
 */
export async function attachedEvidence(
  name: string,
  bytes: Uint8Array,
  platform: VerifierPlatform,
): Promise<{ bundle?: EvidenceBundle; change?: string }> {
  const text = latin1(bytes);
  const signed = hasAttestSignature(bytes, text);
  let change: string | undefined;
  for (const stored of storedEmbeddedFiles(bytes, text)) {
    let data = stored.raw;
    let error = stored.error;
    if (data && stored.deflated) {
      try {
        data = await platform.inflate(data);
      } catch (failure) {
        data = undefined;
        error = `it no longer decompresses (${(failure as Error).message})`;
      }
    }
    if (!data) {
      change ??= `the attached evidence was changed: ${error}`;
      continue;
    }
    const digest = await sha256Hex(data, platform);
    let parsed: EvidenceBundle;
    try {
      parsed = JSON.parse(new TextDecoder().decode(data)) as EvidenceBundle;
    } catch {
      if (stored.declaredSha256)
        change ??= 'the attached evidence was changed: it is no longer JSON';
      continue;
    }
    if (parsed?.format !== BUNDLE_FORMAT) continue;
    if (stored.declaredSha256 && stored.declaredSha256 !== digest) {
      return {
        bundle: parsed,
        change: `the attached evidence was changed: its digest is ${digest}, not the ${stored.declaredSha256} recorded beside it`,
      };
    }
    return { bundle: parsed, change };
  }
  if (change) return { change };
  if (signed) {
    return { change: 'the attached evidence was removed: the signed PDF carries no evidence.json' };
  }
  throw new NotEvidence(`${name} is a PDF without Attest's evidence: not an audit pack or report`);
}

// ---- the bundle ----

/** Checks everything the bundle claims; each check is reported, and any failure fails it all. */
export async function checkBundle(
  bundle: EvidenceBundle,
  options: VerifyOptions,
  platform: VerifierPlatform,
): Promise<{ ok: boolean; checks: CheckResult[] }> {
  const checks: CheckResult[] = [];
  const record = (result: CheckResult) => {
    checks.push(result);
    options.onCheck?.(result);
    return result.ok;
  };
  const note = (ok: boolean, what: string) => record({ ok, what });
  const notChecked = (what: string) =>
    record({ ok: true, what: `${what}: ${platform.notCheckedHere}`, notChecked: true });
  if (bundle.format !== BUNDLE_FORMAT) {
    note(false, `format: expected ${BUNDLE_FORMAT}, found ${String(bundle.format)}`);
    return { ok: false, checks };
  }
  const jwks = options.jwks ?? bundle.jwks;
  const keySource = options.jwks
    ? (options.jwksLabel ?? 'the given keys')
    : 'the keys inside the bundle (pass --jwks to check against the published ones)';

  // 1. The checkpoint: signed by a trusted key, and saying what the bundle says it does.
  let root: Uint8Array | undefined;
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
      root = fromHex(payload.rootHash);
      treeSize = payload.treeSize;
    }
  } catch (error) {
    note(false, `checkpoint signature: ${(error as Error).message}`);
  }

  // 2. Each cited event: its hash from its content, and its inclusion under the signed root.
  const node = nodeHashOf(platform);
  let eventsOk = 0;
  for (const event of bundle.events) {
    const { integrity, ...metadata } = event.metadata;
    const recomputed = await sha256Hex(
      utf8(
        hashedText({
          stream: event.stream,
          revision: BigInt(event.revision),
          id: event.id,
          type: event.type,
          data: event.data,
          metadata,
          prevHash: integrity.prevHash,
        }),
      ),
      platform,
    );
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
    const reached = await hashStepsAsync(
      inclusionRoot(
        event.leafIndex,
        treeSize,
        await leafHashOf(fromHex(integrity.hash), platform),
        event.proof.map(fromHex),
      ),
      node,
    );
    if (!reached || !bytesEqual(reached, root)) {
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
      let consistent = false;
      if (root !== undefined && old.logId === bundle.checkpoint.logId) {
        const oldRoot = fromHex(old.rootHash);
        const roots = await hashStepsAsync(
          consistencyRoots(
            old.treeSize,
            treeSize,
            oldRoot,
            options.previous.consistencyProof.map(fromHex),
          ),
          node,
        );
        consistent =
          roots !== undefined && bytesEqual(roots[0], oldRoot) && bytesEqual(roots[1], root);
      }
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
    const detached = options.pdf.signature ?? bundle.pdf?.signature;
    if (platform.pdfSignature) {
      const embedded = platform.pdfSignature(options.pdf.bytes);
      const carriesOne = embedded.ok || embedded.change !== NO_PDF_SIGNATURE;
      if (carriesOne || !detached) {
        if (
          note(embedded.ok, embedded.ok ? pdfSignatureLine(embedded) : embedded.change) &&
          embedded.ok
        ) {
          await checkCertificate(bundle, embedded, jwks, keySource, note);
        }
      }
    } else if (/\/ByteRange\s*\[/.test(latin1(options.pdf.bytes))) {
      notChecked('PDF signature (the CMS signature inside the file)');
      notChecked('PDF certificate (vouched for by the ledger’s key)');
    } else if (!detached) {
      note(false, NO_PDF_SIGNATURE);
    }
    if (detached) {
      const digest = await sha256Hex(options.pdf.bytes, platform);
      try {
        const [header, , sig] = detached.split('.');
        const attached = `${header}.${base64url(utf8(digest))}.${sig}`;
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

function pdfSignatureLine(check: Extract<EmbeddedSignatureCheck, { ok: true }>): string {
  return `PDF signature: covers every byte of the file but the signature itself (${check.signedBytes} bytes), CMS valid, signed by certificate ${check.certificateSubject.replace(/\n/g, ', ')} (SHA-256 ${check.certificateSha256})`;
}

/** The PDF's certificate is the one the bundle says the checkpoint key vouched for. */
async function checkCertificate(
  bundle: EvidenceBundle,
  embedded: Extract<EmbeddedSignatureCheck, { ok: true }>,
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

// ---- a whole file, as `npm run verify -- <file>` takes it ----

export interface FileCheckOptions {
  /** How messages name the file. */
  name: string;
  jwks?: JSONWebKeySet;
  jwksLabel?: string;
  previous?: { jws: string; consistencyProof: string[] };
  /** With an evidence.json: the PDF it belongs to (the CLI's --pdf). */
  pdfBytes?: Uint8Array;
  /** The PDF's detached signature (the CLI's --signature). */
  signature?: string;
  /** Called once the evidence is read, before the first check. */
  onStart?: (bundle: EvidenceBundle | undefined) => void;
  onCheck?: (result: CheckResult) => void;
}

export interface FileCheckResult {
  checks: CheckResult[];
  /** The failed check the verdict names (the most particular change), when any failed. */
  named?: CheckResult;
}

/** Whether the bytes are a PDF (or at least carry Attest's PDF signature). */
export function isPdf(bytes: Uint8Array): boolean {
  return latin1(bytes.subarray(0, 5)) === '%PDF-' || hasAttestSignature(bytes);
}

/**
 * An audit pack or report (PDF) or an evidence bundle (JSON), checked as the CLI checks it:
 * the attached evidence (whole, its digest as recorded), then everything verifyBundle checks;
 * evidence that cannot be read leaves the PDF's own signature to say whether the file changed.
 * Throws NotEvidence when the bytes are neither.
 */
export async function checkEvidenceFile(
  bytes: Uint8Array,
  options: FileCheckOptions,
  platform: VerifierPlatform,
): Promise<FileCheckResult> {
  const pdf = isPdf(bytes);
  let bundle: EvidenceBundle | undefined;
  let evidenceChange: string | undefined;
  if (pdf) {
    ({ bundle, change: evidenceChange } = await attachedEvidence(options.name, bytes, platform));
  } else if (bytes[0] === 0x7b) {
    let parsed: { format?: unknown } | null;
    try {
      parsed = JSON.parse(new TextDecoder().decode(bytes)) as { format?: unknown } | null;
    } catch (error) {
      throw new NotEvidence(
        `the evidence bundle ${options.name} is not readable JSON (${(error as Error).message})`,
      );
    }
    if (parsed?.format !== BUNDLE_FORMAT) {
      throw new NotEvidence(`${options.name} is JSON but not an Attest evidence bundle`);
    }
    bundle = parsed as EvidenceBundle;
  } else {
    throw new NotEvidence(`${options.name} is not a PDF: not an Attest audit pack or report`);
  }
  const pdfBytes = pdf ? bytes : options.pdfBytes;
  const checks: CheckResult[] = [];
  const show = (check: CheckResult) => {
    checks.push(check);
    options.onCheck?.(check);
  };
  options.onStart?.(bundle);
  if (evidenceChange) show({ ok: false, what: evidenceChange });
  if (bundle && !evidenceChange) {
    try {
      await checkBundle(
        bundle,
        {
          jwks: options.jwks,
          jwksLabel: options.jwksLabel,
          previous: options.previous,
          pdf:
            pdfBytes && (options.signature || bundle.pdf || pdf)
              ? { bytes: pdfBytes, signature: options.signature }
              : undefined,
          onCheck: show,
        },
        platform,
      );
    } catch (error) {
      show({
        ok: false,
        what: `the evidence was changed: it cannot be checked (${(error as Error).message})`,
      });
    }
  } else if (pdfBytes) {
    // The evidence cannot be read: the PDF's own signature still says whether the file changed.
    const embedded = platform.pdfSignature?.(pdfBytes);
    if (embedded) {
      show({
        ok: embedded.ok,
        what: embedded.ok ? 'PDF signature: valid over the whole file' : embedded.change,
      });
    } else {
      show({
        ok: true,
        what: `PDF signature (the CMS signature inside the file): ${platform.notCheckedHere}`,
        notChecked: true,
      });
    }
  }
  // The one sentence: the most particular change first (the evidence, then the file's bytes).
  const failed = checks.filter((check) => !check.ok);
  const named =
    failed.find((check) => check.what.startsWith('the attached evidence')) ??
    failed.find((check) => /^the (file|signature|PDF)\b/.test(check.what)) ??
    failed[0];
  return { checks, named };
}

/**
 * The one sentence a verifier ends with: VERIFIED, or FAILED naming `named` (else the first
 * failed check), with how many failed when more than one did.
 */
export function verdictOf(checks: readonly CheckResult[], named?: CheckResult): string {
  const failed = checks.filter((check) => !check.ok);
  if (failed.length === 0) return 'VERIFIED: every check passed';
  const sentence = (named ?? failed[0]).what.replace(/[.\s]*$/, '.');
  return `FAILED: ${sentence[0].toUpperCase()}${sentence.slice(1)}${failed.length > 1 ? ` (${failed.length} checks did not pass)` : ''}`;
}
