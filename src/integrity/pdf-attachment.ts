import { inflateSync } from 'node:zlib';

/**
 * The files embedded in a PDF (/Type /EmbeddedFile streams), as Attest's packs write them:
 * enough for the offline verifier to take the evidence bundle out of a pack without a PDF
 * library. Streams compressed with FlateDecode are inflated; others are returned as stored.
 */
export function embeddedFiles(pdf: Buffer): Buffer[] {
  const text = pdf.toString('latin1');
  const files: Buffer[] = [];
  const marker = /\/Type\s*\/EmbeddedFile\b/g;
  for (let match = marker.exec(text); match; match = marker.exec(text)) {
    const start = text.lastIndexOf('obj', match.index);
    const streamAt = text.indexOf('stream', match.index);
    if (start < 0 || streamAt < 0) continue;
    const dictionary = text.slice(start, streamAt);
    const length = /\/Length\s+(\d+)/.exec(dictionary);
    if (!length) continue;
    // The data starts after the end of line that follows the keyword.
    let dataAt = streamAt + 'stream'.length;
    if (text[dataAt] === '\r') dataAt++;
    if (text[dataAt] === '\n') dataAt++;
    const raw = pdf.subarray(dataAt, dataAt + Number(length[1]));
    files.push(/\/Filter\s*\/FlateDecode/.test(dictionary) ? inflateSync(raw) : Buffer.from(raw));
  }
  return files;
}
