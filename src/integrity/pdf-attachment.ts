import { inflateSync } from 'node:zlib';

/** A file embedded in a PDF: its content, or why it cannot be read; the digest it declares. */
export interface EmbeddedFile {
  data?: Buffer;
  /** Why the stored stream does not decompress (it was changed). */
  error?: string;
  /** The SHA-256 its /Params record (/AttestSHA256), when it has one. */
  declaredSha256?: string;
}

/**
 * The files embedded in a PDF (/Type /EmbeddedFile streams), as Attest's packs write them:
 * enough for the offline verifier to take the evidence bundle out of a pack without a PDF
 * library. Streams compressed with FlateDecode are inflated; others are returned as stored. A
 * stream that no longer inflates is answered with the reason, not thrown.
 */
export function readEmbeddedFiles(pdf: Buffer): EmbeddedFile[] {
  const text = pdf.toString('latin1');
  const files: EmbeddedFile[] = [];
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
    const raw = pdf.subarray(dataAt, dataAt + Number(length[1]));
    if (!/\/Filter\s*\/FlateDecode/.test(dictionary)) {
      files.push({ data: Buffer.from(raw), declaredSha256 });
      continue;
    }
    try {
      files.push({ data: inflateSync(raw), declaredSha256 });
    } catch (error) {
      files.push({
        error: `it no longer decompresses (${(error as Error).message})`,
        declaredSha256,
      });
    }
  }
  return files;
}

/** The content of each embedded file; throws when one does not decompress. */
export function embeddedFiles(pdf: Buffer): Buffer[] {
  return readEmbeddedFiles(pdf).map((file) => {
    if (!file.data) throw new Error(`an embedded file cannot be read: ${file.error}`);
    return file.data;
  });
}
