import PDFDocument from 'pdfkit';
import type { Writable } from 'node:stream';
import { createDeflate } from 'node:zlib';
import type { Citation, EvidenceBuilder } from '../integrity/evidence-builder';
import type { CitedEvent, EvidenceBundle } from '../integrity/evidence-bundle';
import { isoInstant } from './pdf-dates';
import { type Column, MUTED, contentWidth, heading, paragraph, table } from './pdf-layout';

type Doc = InstanceType<typeof PDFDocument>;

export const EVIDENCE_FILE_NAME = 'evidence.json';

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
  },
): { doc: Doc; finish: () => Promise<number> } {
  const doc = new PDFDocument({
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
  options: { subject: EvidenceBundle['subject']; generatedAt: Date },
): Promise<{ events: number; bundle: Buffer }> {
  doc.addPage();
  heading(doc, 'Appendix: every cited event');
  paragraph(
    doc,
    `Each event below is in the ledger's integrity tree at the leaf shown, under the signed checkpoint of ${citation.checkpoint.treeSize} events (root ${citation.checkpoint.rootHash}). The full inclusion proofs, the events' content and the checkpoint's signature are in the attached ${EVIDENCE_FILE_NAME}; check them with \`npm run verify -- <this file> --jwks jwks.json\`.`,
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
  const flush = () => {
    if (pending.length === 0) return;
    const piece = pending.join('');
    size += Buffer.byteLength(piece);
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
  attach(doc, bundle, size, options.generatedAt);
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

/** The bundle as an embedded file, already Flate-compressed. */
function attach(doc: Doc, data: Buffer, size: number, at: Date): void {
  const file = doc.ref({
    Type: 'EmbeddedFile',
    Subtype: 'application#2Fjson',
    Filter: 'FlateDecode',
    Params: { Size: size, CreationDate: at },
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
