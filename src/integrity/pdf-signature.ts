import { X509Certificate, createHash, sign, verify, type KeyObject } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import forge from 'node-forge';
import { NO_PDF_SIGNATURE, hasAttestSignature } from './evidence-checks';

/**
 * The PDF's own signature (README: Audit packs and the offline verifier): a PAdES signature
 * dictionary (SubFilter ETSI.CAdES.detached) whose ByteRange covers every byte of the file but
 * its /Contents, which holds a detached CMS SignedData over those bytes. Signed here from the
 * digest of the byte ranges, so a pack streamed to disk is never read into memory whole (the
 * CMS is built with node-forge's ASN.1; @signpdf's P12Signer takes the whole PDF instead).
 */
export const SIGNATURE_SUBFILTER = 'ETSI.CAdES.detached';
/** The name in every Attest signature dictionary: what marks a PDF as Attest's. */
export const SIGNATURE_NAME = 'Attest';
/** What pdfkit writes for `ByteRange: [0, '**********', …]`, replaced in place once known. */
export const BYTE_RANGE_PLACEHOLDER = '/ByteRange [0 /********** /********** /**********]';

/** The key and certificate(s) that sign PDFs. */
export interface PdfSigningIdentity {
  /** The signer's certificate first, then any chain it came with (DER). */
  certificates: Buffer[];
  privateKey: KeyObject;
  /** SHA-256 of the signer's certificate (DER), hex. */
  certificateSha256: string;
  /** Bytes to reserve for the CMS in the placeholder. */
  placeholderBytes: number;
}

/** A PDF to sign in place: a file on disk or a buffer. */
interface RandomAccess {
  size: number;
  read(position: number, length: number): Promise<Buffer>;
  write(position: number, data: Buffer): Promise<void>;
}

const OID = {
  data: '1.2.840.113549.1.7.1',
  signedData: '1.2.840.113549.1.7.2',
  sha256: '2.16.840.1.101.3.4.2.1',
  rsaEncryption: '1.2.840.113549.1.1.1',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  contentType: '1.2.840.113549.1.9.3',
  messageDigest: '1.2.840.113549.1.9.4',
  signingCertificateV2: '1.2.840.113549.1.9.16.2.47',
};

const { asn1 } = forge;
const U = asn1.Class.UNIVERSAL;
const seq = (value: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SEQUENCE, true, value);
const set = (value: forge.asn1.Asn1[]) => asn1.create(U, asn1.Type.SET, true, value);
const oid = (id: string) => asn1.create(U, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (bytes: Buffer) =>
  asn1.create(U, asn1.Type.OCTETSTRING, false, bytes.toString('binary'));
const der = (node: forge.asn1.Asn1) => Buffer.from(asn1.toDer(node).getBytes(), 'binary');
/** node-forge reads options here (parseAllBytes); its types only know the older boolean. */
const fromDer = asn1.fromDer as unknown as (
  bytes: forge.util.ByteStringBuffer,
  options: { parseAllBytes: boolean },
) => forge.asn1.Asn1;
const parse = (bytes: Buffer) =>
  fromDer(forge.util.createBuffer(bytes.toString('binary')), { parseAllBytes: false });

/** The issuer and serial number of a certificate, as its own DER has them. */
function issuerAndSerial(certificate: Buffer): forge.asn1.Asn1 {
  const tbs = (parse(certificate).value as forge.asn1.Asn1[])[0].value as forge.asn1.Asn1[];
  const at = tbs[0].tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  return seq([tbs[at + 2], tbs[at]]);
}

/** A detached CMS SignedData (CAdES: content type, message digest, signing certificate v2). */
export function cmsSignature(digest: Buffer, identity: PdfSigningIdentity): Buffer {
  const [certificate] = identity.certificates;
  const ec = identity.privateKey.asymmetricKeyType === 'ec';
  const attributes = [
    seq([oid(OID.contentType), set([oid(OID.data)])]),
    seq([oid(OID.messageDigest), set([octets(digest)])]),
    seq([
      oid(OID.signingCertificateV2),
      set([seq([seq([seq([octets(createHash('sha256').update(certificate).digest())])])])]),
    ]),
  ];
  const signature = sign('sha256', der(set(attributes)), identity.privateKey);
  const signerInfo = seq([
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    issuerAndSerial(certificate),
    seq([oid(OID.sha256)]),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, attributes),
    ec
      ? seq([oid(OID.ecdsaWithSha256)])
      : seq([oid(OID.rsaEncryption), asn1.create(U, asn1.Type.NULL, false, '')]),
    octets(signature),
  ]);
  const signedData = seq([
    asn1.create(U, asn1.Type.INTEGER, false, asn1.integerToDer(1).getBytes()),
    set([seq([oid(OID.sha256)])]),
    seq([oid(OID.data)]),
    asn1.create(
      asn1.Class.CONTEXT_SPECIFIC,
      0,
      true,
      identity.certificates.map((c) => parse(c)),
    ),
    set([signerInfo]),
  ]);
  return der(
    seq([oid(OID.signedData), asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [signedData])]),
  );
}

/** Signs an open PDF file in place; answers the SHA-256 of the signed file. */
export async function signPdfFile(
  handle: FileHandle,
  identity: PdfSigningIdentity,
): Promise<string> {
  const { size } = await handle.stat();
  return signInPlace(
    {
      size,
      read: async (position, length) => {
        const buffer = Buffer.alloc(length);
        const { bytesRead } = await handle.read(buffer, 0, length, position);
        return buffer.subarray(0, bytesRead);
      },
      write: async (position, data) => {
        await handle.write(data, 0, data.length, position);
      },
    },
    identity,
  );
}

/** Signs a PDF held in memory in place; answers the SHA-256 of the signed file. */
export function signPdfBuffer(pdf: Buffer, identity: PdfSigningIdentity): Promise<string> {
  return signInPlace(
    {
      size: pdf.length,
      read: (position, length) => Promise.resolve(pdf.subarray(position, position + length)),
      write: (position, data) => {
        data.copy(pdf, position);
        return Promise.resolve();
      },
    },
    identity,
  );
}

const WINDOW = 1 << 20;

async function signInPlace(io: RandomAccess, identity: PdfSigningIdentity): Promise<string> {
  // The signature dictionary is written last but for the final objects and the xref table.
  let marker = -1;
  for (let end = io.size; end > 0 && marker < 0; end -= WINDOW) {
    const start = Math.max(0, end - WINDOW - BYTE_RANGE_PLACEHOLDER.length);
    const window = await io.read(start, end - start);
    const at = window.lastIndexOf(BYTE_RANGE_PLACEHOLDER, undefined, 'latin1');
    if (at >= 0) marker = start + at;
  }
  if (marker < 0) throw new Error('the PDF has no signature placeholder');
  const dictionary = await io.read(marker, 256 + 2 * identity.placeholderBytes);
  const contents = dictionary.indexOf('/Contents <', 0, 'latin1');
  if (contents < 0) throw new Error('the signature placeholder has no /Contents');
  const open = marker + contents + '/Contents '.length;
  const close = marker + dictionary.indexOf('>', contents, 'latin1') + 1;
  const range = [0, open, close, io.size - close];
  const text = `/ByteRange [${range.join(' ')}]`;
  await io.write(marker, Buffer.from(text.padEnd(BYTE_RANGE_PLACEHOLDER.length, ' '), 'latin1'));

  const signed = createHash('sha256');
  await hashRange(io, 0, open, signed);
  // The whole file's digest shares the bytes before /Contents: only what follows is read again.
  const whole = signed.copy();
  await hashRange(io, close, io.size, signed);
  const cms = cmsSignature(signed.digest(), identity).toString('hex');
  const room = close - open - 2;
  if (cms.length > room) {
    throw new Error(`the signature (${cms.length / 2} bytes) does not fit its placeholder`);
  }
  const filled = Buffer.from(`<${cms.padEnd(room, '0')}>`, 'latin1');
  await io.write(open, filled);
  whole.update(filled);
  await hashRange(io, close, io.size, whole);
  return whole.digest('hex');
}

async function hashRange(
  io: RandomAccess,
  from: number,
  to: number,
  hash: ReturnType<typeof createHash>,
): Promise<void> {
  for (let at = from; at < to; at += WINDOW) {
    hash.update(await io.read(at, Math.min(WINDOW, to - at)));
  }
}

export { NO_PDF_SIGNATURE, hasAttestSignature };

/** What the signature embedded in a PDF says, or the one sentence of what was changed. */
export type PdfSignatureCheck =
  | { ok: true; certificate: X509Certificate; certificateSha256: string; signedBytes: number }
  | { ok: false; change: string };

/**
 * Checks the PDF's embedded signature from the file alone: one signature, whose ByteRange
 * covers every byte but its /Contents (exactly), whose CMS digest is that of those bytes, signed
 * by the certificate it carries. Answers the certificate for the caller to trust or not.
 */
export function verifyPdfSignature(pdf: Buffer): PdfSignatureCheck {
  const changed = (what: string) => ({ ok: false as const, change: what });
  const text = pdf.toString('latin1');
  const ranges = [...text.matchAll(/\/ByteRange\s*\[([^\]]*)\]/g)];
  if (ranges.length === 0) return changed(NO_PDF_SIGNATURE);
  if (ranges.length > 1) {
    return changed(
      `the file was changed after signing: it holds ${ranges.length} signatures, Attest signs once`,
    );
  }
  const numbers = ranges[0][1].trim().split(/\s+/);
  if (numbers.length !== 4 || numbers.some((n) => !/^\d{1,12}$/.test(n))) {
    return changed(
      `the file was changed after signing: its ByteRange [${ranges[0][1].trim()}] is not four offsets`,
    );
  }
  const [start, open, close, tail] = numbers.map(Number);
  if (start !== 0 || open >= close || close + tail !== pdf.length) {
    return changed(
      close + tail < pdf.length
        ? `the file was changed after signing: ${pdf.length - close - tail} bytes were added after the signed end`
        : close + tail > pdf.length
          ? `the file was changed after signing: it is ${close + tail - pdf.length} bytes shorter than what was signed`
          : 'the file was changed after signing: its ByteRange does not cover the whole file',
    );
  }
  if (
    pdf[open] !== 0x3c ||
    pdf[close - 1] !== 0x3e ||
    !/\/Contents\s*$/.test(text.slice(Math.max(0, open - 20), open))
  ) {
    return changed(
      'the file was changed after signing: the bytes its ByteRange leaves out are not the signature’s /Contents',
    );
  }
  const hex = text.slice(open + 1, close - 1);
  if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) {
    return changed('the signature itself was changed: its /Contents is no longer hexadecimal');
  }
  const digest = createHash('sha256')
    .update(pdf.subarray(0, open))
    .update(pdf.subarray(close))
    .digest();
  let parsed: ParsedCms;
  try {
    parsed = parseCms(Buffer.from(hex, 'hex'));
  } catch (error) {
    return changed(
      `the signature itself was changed: its CMS does not parse (${(error as Error).message})`,
    );
  }
  if (!parsed.messageDigest.equals(digest)) {
    return changed(
      `the file was changed after signing: bytes outside the signature differ (they hash to ${digest.toString('hex')}, the signature covers ${parsed.messageDigest.toString('hex')})`,
    );
  }
  if (!verify('sha256', parsed.signedAttributes, parsed.certificate.publicKey, parsed.signature)) {
    return changed(
      'the signature itself was changed: it does not verify with the certificate it carries',
    );
  }
  return {
    ok: true,
    certificate: parsed.certificate,
    certificateSha256: createHash('sha256').update(parsed.certificate.raw).digest('hex'),
    signedBytes: open + tail,
  };
}

interface ParsedCms {
  certificate: X509Certificate;
  signedAttributes: Buffer;
  messageDigest: Buffer;
  signature: Buffer;
}

const children = (node: forge.asn1.Asn1 | undefined, what: string): forge.asn1.Asn1[] => {
  if (!node || !Array.isArray(node.value)) throw new Error(`no ${what}`);
  return node.value;
};
const bytesOf = (node: forge.asn1.Asn1 | undefined, what: string): Buffer => {
  if (!node || typeof node.value !== 'string') throw new Error(`no ${what}`);
  return Buffer.from(node.value, 'binary');
};
const oidOf = (node: forge.asn1.Asn1 | undefined) =>
  node && typeof node.value === 'string' ? asn1.derToOid(node.value) : undefined;

/** The parts of a detached CMS SignedData the check needs; anything after its DER must be zero. */
function parseCms(bytes: Buffer): ParsedCms {
  const buffer = forge.util.createBuffer(bytes.toString('binary'));
  const info = fromDer(buffer, { parseAllBytes: false });
  if (bytes.subarray(bytes.length - buffer.length()).some((b) => b !== 0)) {
    throw new Error('bytes after its end are not zero');
  }
  const [type, wrapped] = children(info, 'ContentInfo');
  if (oidOf(type) !== OID.signedData) throw new Error('not a SignedData');
  const signedData = children(children(wrapped, 'content')[0], 'SignedData');
  const certificates = signedData.find(
    (n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0,
  );
  const signerInfos = children(signedData[signedData.length - 1], 'signer infos');
  if (signerInfos.length !== 1) throw new Error(`${signerInfos.length} signers, expected one`);
  const signer = children(signerInfos[0], 'signer info');
  const attributes = signer.find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 0);
  const attributeList = children(attributes, 'signed attributes');
  const digestAttribute = attributeList.find(
    (a) => oidOf(children(a, 'attribute')[0]) === OID.messageDigest,
  );
  const messageDigest = bytesOf(
    children(children(digestAttribute, 'message digest')[1], 'message digest')[0],
    'message digest',
  );
  const sid = children(signer[1], 'signer id');
  const serial = bytesOf(sid[1], 'serial number');
  const certificate = children(certificates, 'certificates')
    .map((node) => new X509Certificate(der(node)))
    .find((c) => BigInt(`0x${c.serialNumber}`) === BigInt(`0x${serial.toString('hex') || '0'}`));
  if (!certificate) throw new Error('it does not carry the certificate of its signer');
  return {
    certificate,
    signedAttributes: der(set(attributeList)),
    messageDigest,
    signature: bytesOf(signer[signer.length - 1], 'signature'),
  };
}
