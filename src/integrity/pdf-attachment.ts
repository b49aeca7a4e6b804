import { inflateSync } from 'node:zlib';
import { storedEmbeddedFiles } from './evidence-checks';

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
 * library (the rules are storedEmbeddedFiles, shared with the browser's verifier). Streams compressed with FlateDecode are inflated; others are returned as stored. A
 * stream that no longer inflates is answered with the reason, not thrown.
 */
export function readEmbeddedFiles(pdf: Buffer): EmbeddedFile[] {
  return storedEmbeddedFiles(pdf, pdf.toString('latin1')).map(
    ({ raw, deflated, error, declaredSha256 }): EmbeddedFile => {
      if (!raw) return { error, declaredSha256 };
      if (!deflated) return { data: Buffer.from(raw), declaredSha256 };
      try {
        return { data: inflateSync(raw), declaredSha256 };
      } catch (failure) {
        return {
          error: `it no longer decompresses (${(failure as Error).message})`,
          declaredSha256,
        };
      }
    },
  );
}

/** The content of each embedded file; throws when one does not decompress. */
export function embeddedFiles(pdf: Buffer): Buffer[] {
  return readEmbeddedFiles(pdf).map((file) => {
    if (!file.data) throw new Error(`an embedded file cannot be read: ${file.error}`);
    return file.data;
  });
}
