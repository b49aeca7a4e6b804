import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, type ReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';

/** A stored file: its SHA-256 (64 lower-case hex digits), its size in bytes and where it lies. */
export type StoredContent = { sha256: string; size: number; path: string };

/** The stream carried more than `maxBytes`; nothing was kept. */
export class ContentTooLarge extends Error {
  constructor(readonly maxBytes: number) {
    super(`the content is larger than ${maxBytes} bytes`);
  }
}

/** The stream's bytes hash to another digest than the one expected; nothing was kept. */
export class ContentDigestMismatch extends Error {
  constructor(
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`the content hashes to sha256 ${actual}, not the expected ${expected}`);
  }
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/**
 * Files kept by the SHA-256 of their bytes, at `<dir>/sha256/<hex>`. A file is streamed to a
 * temporary file in the same directory, fsynced and then renamed under its digest, so a crash
 * never leaves part of a file under a digest, and the same bytes stored twice are one file.
 */
export class ContentStore {
  private readonly contentDir: string;

  constructor(readonly dir: string) {
    this.contentDir = join(dir, 'sha256');
  }

  /**
   * Streams `content` into the store, hashing it on the way; never holds it whole in memory.
   * Beyond `maxBytes` it stops reading, removes the temporary file and throws ContentTooLarge;
   * bytes that do not hash to `expectedSha256` (when given) are removed (ContentDigestMismatch).
   */
  async put(
    content: Readable,
    options: { maxBytes: number; expectedSha256?: string },
  ): Promise<StoredContent> {
    await mkdir(this.contentDir, { recursive: true });
    const temp = join(this.contentDir, `.tmp-${randomUUID()}`);
    const hash = createHash('sha256');
    let size = 0;
    const file = await open(temp, 'wx', 0o640);
    try {
      for await (const chunk of content) {
        const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
        size += bytes.length;
        if (size > options.maxBytes) throw new ContentTooLarge(options.maxBytes);
        hash.update(bytes);
        let written = 0;
        while (written < bytes.length) {
          const { bytesWritten } = await file.write(bytes, written, bytes.length - written);
          written += bytesWritten;
        }
      }
      await file.sync();
      await file.close();
    } catch (error) {
      await file.close().catch(() => undefined);
      await rm(temp, { force: true });
      content.destroy();
      throw error;
    }
    const sha256 = hash.digest('hex');
    if (options.expectedSha256 !== undefined && options.expectedSha256 !== sha256) {
      await rm(temp, { force: true });
      throw new ContentDigestMismatch(options.expectedSha256, sha256);
    }
    const path = this.pathOf(sha256);
    // Same bytes again: the rename replaces identical content, atomically.
    await rename(temp, path).catch(async (error: unknown) => {
      await rm(temp, { force: true });
      throw error;
    });
    // The rename is durable once the directory entry is on disk too.
    const directory = await open(this.contentDir, 'r');
    await directory.sync().finally(() => directory.close());
    return { sha256, size, path };
  }

  /** Whether a file with this SHA-256 is stored. */
  async has(sha256: string): Promise<boolean> {
    return (await this.stat(sha256)) !== null;
  }

  /** The stored file's size and path, or null when none is stored under this digest. */
  async stat(sha256: string): Promise<StoredContent | null> {
    const path = this.pathOf(sha256);
    try {
      const info = await stat(path);
      return { sha256, size: info.size, path };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw error;
    }
  }

  /** A read stream of the stored file; rejects (ENOENT) when none is stored. */
  async open(sha256: string): Promise<ReadStream> {
    const path = this.pathOf(sha256);
    await stat(path);
    return createReadStream(path);
  }

  /** Removes the stored file, if any. */
  async remove(sha256: string): Promise<void> {
    await rm(this.pathOf(sha256), { force: true });
  }

  /** Where a digest's file lies (whether or not it is stored). */
  pathOf(sha256: string): string {
    if (!HEX_SHA256.test(sha256)) {
      throw new TypeError('a content digest is 64 lower-case hex digits');
    }
    return join(this.contentDir, sha256);
  }
}
