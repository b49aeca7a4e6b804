import { PDFParse } from 'pdf-parse';

/** The text of a PDF, page breaks included, and its page count: what a reader would see. */
export async function pdfText(pdf: Buffer): Promise<{ text: string; pages: number }> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const result = await parser.getText();
    return { text: result.text, pages: result.total };
  } finally {
    await parser.destroy();
  }
}

/** A supertest parser that keeps a binary body (a PDF) as one Buffer. */
export function binary(
  response: unknown,
  callback: (error: Error | null, body: Buffer) => void,
): void {
  const stream = response as NodeJS.ReadableStream;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  stream.on('end', () => callback(null, Buffer.concat(chunks)));
}

/** The text with every run of white space (line and column breaks) as one space. */
export function flowing(text: string): string {
  return text.replace(/\s+/g, ' ');
}
