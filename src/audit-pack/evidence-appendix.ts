import type PDFDocument from 'pdfkit';
import type { Writable } from 'node:stream';
import { createHash } from 'node:crypto';
import { createDeflate } from 'node:zlib';
import type { Citation, EvidenceBuilder } from '../integrity/evidence-builder';
import type { CitedEvent, EvidenceBundle } from '../integrity/evidence-bundle';
import { SIGNATURE_NAME, SIGNATURE_SUBFILTER } from '../integrity/pdf-signature';
import type { DocumentSigning } from '../integrity/pdf-signer';

export type { DocumentSigning };
import { isoInstant } from './pdf-dates';
import { type Column, INK, MUTED, contentWidth, heading, paragraph, table } from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;

/**
 * pdfkit, loaded with the first document (Node keeps it after): it takes a tenth of a second or
 * more to load, and most processes (pipelines' appends, the projector) never write a PDF.
 */
function loadPdfkit(): typeof PDFDocument {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded on first use, above
  return require('pdfkit') as typeof PDFDocument;
}

export const EVIDENCE_FILE_NAME = 'evidence.json';
/** The SHA-256 of the attached evidence (uncompressed), in its stream's /Params. */
export const EVIDENCE_DIGEST_KEY = 'AttestSHA256';
/** Where the service hands out the one-file verifier (VerifierHttpController). */
export const VERIFIER_PATH = '/api/v1/verifier/attest-verify.js';

/** The commands that check a document with Node alone, exactly as printed on its cover. */
export function verifierCommands(serviceUrl: string): string[] {
  return [
    `curl -O ${serviceUrl}${VERIFIER_PATH}`,
    `node attest-verify.js <this PDF> --jwks ${serviceUrl}/.well-known/jwks.json`,
  ];
}

/** The cover's note on checking the document: the commands, one a line, then what they do. */
export function verifierInstructions(doc: Doc, serviceUrl: string): void {
  paragraph(
    doc,
    'This PDF is signed inside the file (PAdES): a PDF reader, or `pdfsig <this PDF>` (poppler), shows whether any byte changed since Attest signed it. To check the signature, the attached evidence and its ledger proofs without trusting Attest, run with Node alone (no checkout, no database):',
    { muted: true },
  );
  doc.font('Courier').fontSize(7.5).fillColor(INK);
  for (const line of verifierCommands(serviceUrl)) {
    doc.text(line, doc.page.margins.left, doc.y, { width: contentWidth(doc), lineBreak: false });
  }
  doc.moveDown(0.4);
  paragraph(
    doc,
    'It exits 0 when every check passes and 1 with one sentence naming what was changed. Keep the keys (save the --jwks address to a file and pass the file) to check against them later.',
    { muted: true },
  );
}

const short = (hash: string, n: number) => (hash.length > n ? `${hash.slice(0, n)}…` : hash);

/**
 * An A4 document of Attest's: every page footed with what it is, the ledger checkpoint behind
 * it and its page number. `finish` ends it and resolves with the page count once written.
 */
export function openDocument(
  out: Writable,
  options: {
    title: string;
    subject: string;
    footer: string;
    citation: Citation;
    generatedAt: Date;
    signing: DocumentSigning;
  },
): { doc: Doc; finish: () => Promise<number> } {
  const doc = new (loadPdfkit())({
    size: 'A4',
    margins: { top: 56, bottom: 56, left: 50, right: 50 },
    compress: true,
    info: {
      Title: options.title,
      Author: 'Attest',
      Subject: options.subject,
      CreationDate: options.generatedAt,
    },
  });
  const done = new Promise<void>((resolve, reject) => {
    out.on('finish', resolve);
    out.on('error', reject);
  });
  doc.pipe(out);
  let pages = 1;
  const footer = () => {
    const { bottom } = doc.page.margins;
    doc.page.margins.bottom = 0;
    const y = doc.page.height - 36;
    const { treeSize, rootHash } = options.citation.checkpoint;
    doc
      .font('Helvetica')
      .fontSize(7)
      .fillColor(MUTED)
      .text(
        `${options.footer} · ledger checkpoint ${treeSize} · root ${short(rootHash, 12)}`,
        50,
        y,
        {
          lineBreak: false,
        },
      )
      .text(`Page ${pages}`, doc.page.width - 110, y, {
        width: 60,
        align: 'right',
        lineBreak: false,
      });
    doc.page.margins.bottom = bottom;
    doc.x = doc.page.margins.left;
    doc.y = doc.page.margins.top;
  };
  doc.on('pageAdded', () => {
    pages += 1;
    footer();
  });
  footer();
  return {
    doc,
    finish: async () => {
      signaturePlaceholder(doc, options.signing.signatureBytes, options.generatedAt);
      doc.end();
      await done;
      return pages;
    },
  };
}

/**
 * The appendix of every cited event (id, type, time, actor, hash, leaf and proof) and the
 * evidence bundle attached as evidence.json, both from one read of the events, a page at a
 * time; the bundle is compressed as it is written, so it is never held whole uncompressed.
 * Answers the compressed bundle too (zlib), for keeping beside the signature of the PDF.
 */
export async function appendEvidence(
  doc: Doc,
  citation: Citation,
  evidence: EvidenceBuilder,
  options: { subject: EvidenceBundle['subject']; generatedAt: Date; signing: DocumentSigning },
): Promise<{ events: number; bundle: Buffer }> {
  doc.addPage();
  heading(doc, 'Appendix: every cited event');
  paragraph(
    doc,
    `Each event below is in the ledger's integrity tree at the leaf shown, under the signed checkpoint of ${citation.checkpoint.treeSize} events (root ${citation.checkpoint.rootHash}). The full inclusion proofs, the events' content and the checkpoint's signature are in the attached ${EVIDENCE_FILE_NAME}; check them with \`${verifierCommands(options.signing.serviceUrl)[1]}\`.`,
    { muted: true },
  );
  const columns: Column[] = [
    { header: 'Event id', width: 150, mono: true },
    { header: 'Type', width: 90 },
    // Wide enough for an ISO instant on one line at 6.5 pt.
    { header: 'Recorded (UTC)', width: 85 },
    { header: 'Actor', width: 46 },
    { header: 'Hash (SHA-256) · leaf · proof', width: contentWidth(doc) - 371, mono: true },
  ];
  const deflate = createDeflate();
  const compressed: Buffer[] = [];
  let size = 0;
  deflate.on('data', (chunk: Buffer) => compressed.push(chunk));
  const deflated = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  let events = 0;
  // The bundle goes to zlib in large pieces: one small write per event cost a round trip each.
  let pending: string[] = [];
  let pendingLength = 0;
  const digest = createHash('sha256');
  const flush = () => {
    if (pending.length === 0) return;
    const piece = pending.join('');
    size += Buffer.byteLength(piece);
    digest.update(piece);
    deflate.write(piece);
    pending = [];
    pendingLength = 0;
  };
  await evidence.writeBundle(
    options.subject,
    citation,
    (text) => {
      pending.push(text);
      pendingLength += text.length;
      if (pendingLength >= 1 << 20) flush();
    },
    {
      extra: { pdfSigner: options.signing.pdfSigner },
      onPage: (page: CitedEvent[]) => {
        events += page.length;
        table(doc, columns, page.map(appendixRow), { size: 6.5, lines: 3 });
      },
    },
  );
  flush();
  if (events === 0) paragraph(doc, 'This document cites no event.', { muted: true });
  deflate.end();
  await deflated;
  const bundle = Buffer.concat(compressed);
  attach(doc, bundle, size, digest.digest('hex'), options.generatedAt);
  return { events, bundle };
}

function appendixRow(e: CitedEvent): string[] {
  const hash = e.metadata.integrity.hash;
  const proof = e.proof.slice(0, 3).map((p) => p.slice(0, 6));
  const actor = e.metadata.actor.sub;
  return [
    e.id,
    e.type,
    isoInstant(e.metadata.occurredAt),
    actor.length > 12 ? `${actor.slice(0, 10)}..` : actor,
    `${hash.slice(0, 32)}\n${hash.slice(32)}\nleaf ${e.leafIndex}: ${proof.join(' ')}${e.proof.length > 3 ? ' ...' : ''}`,
  ];
}

/** The bundle as an embedded file, already Flate-compressed, with its SHA-256. */
function attach(doc: Doc, data: Buffer, size: number, sha256: string, at: Date): void {
  const file = doc.ref({
    Type: 'EmbeddedFile',
    Subtype: 'application#2Fjson',
    Filter: 'FlateDecode',
    Params: { Size: size, CreationDate: at, [EVIDENCE_DIGEST_KEY]: new String(sha256) },
  });
  file.end(data);
  const spec = doc.ref({
    Type: 'Filespec',
    AFRelationship: 'Supplement',
    F: new String(EVIDENCE_FILE_NAME),
    UF: new String(EVIDENCE_FILE_NAME),
    Desc: new String('Attest evidence bundle: cited events, inclusion proofs, signed checkpoint'),
    EF: { F: file },
  });
  spec.end(undefined);
  (
    doc as unknown as { addNamedEmbeddedFile(name: string, ref: unknown): void }
  ).addNamedEmbeddedFile(EVIDENCE_FILE_NAME, spec);
}

/**
 * The PAdES signature field, its value still a placeholder: a signature dictionary with
 * ByteRange and /Contents to fill in once the file is written (PdfSigner), an invisible widget
 * on the last page and the AcroForm that lists it. Written with pdfkit's own references:
 * @signpdf/placeholder-pdfkit does the same but wants pdfkit 0.11.
 */
function signaturePlaceholder(doc: Doc, bytes: number, at: Date): void {
  const signature = doc.ref({
    Type: 'Sig',
    Filter: 'Adobe.PPKLite',
    SubFilter: SIGNATURE_SUBFILTER,
    ByteRange: [0, '**********', '**********', '**********'],
    Contents: Buffer.alloc(bytes),
    M: at,
    Name: new String(SIGNATURE_NAME),
    Reason: new String('Issued by Attest from its ledger; the attached evidence.json is checkable'),
  });
  signature.end(undefined);
  const widget = doc.ref({
    Type: 'Annot',
    Subtype: 'Widget',
    FT: 'Sig',
    Rect: [0, 0, 0, 0],
    V: signature,
    T: new String('Attest signature'),
    F: 4,
    P: doc.page.dictionary,
  });
  doc.page.annotations.push(widget);
  widget.end(undefined);
  doc.initForm();
  const form = (
    doc as unknown as { _root: { data: { AcroForm: { data: Record<string, unknown> } } } }
  )._root.data.AcroForm.data;
  (form.Fields as unknown[]).push(widget);
  form.SigFlags = 3;
  delete form.NeedAppearances;
}
