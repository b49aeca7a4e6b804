import { createHash } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { ContentDigestMismatch, ContentStore, ContentTooLarge } from './content-store';

function chunks(...parts: string[]): Readable {
  return Readable.from(parts.map((part) => Buffer.from(part)));
}

describe('ContentStore', () => {
  let dir: string;
  let store: ContentStore;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-content-'));
    store = new ContentStore(dir);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('keeps streamed bytes under their SHA-256 and reads them back', async () => {
    const sha = createHash('sha256').update('hello, world').digest('hex');
    const stored = await store.put(chunks('hello, ', 'world'), { maxBytes: 100 });
    expect(stored).toEqual({ sha256: sha, size: 12, path: join(dir, 'sha256', sha) });
    expect(await readFile(stored.path, 'utf8')).toBe('hello, world');
    expect(await store.has(sha)).toBe(true);
    expect(await text(await store.open(sha))).toBe('hello, world');
    expect(await readdir(join(dir, 'sha256'))).toEqual([sha]);
  });

  it('stores the same bytes once', async () => {
    const first = await store.put(chunks('same'), { maxBytes: 10 });
    const second = await store.put(chunks('sa', 'me'), { maxBytes: 10 });
    expect(second).toEqual(first);
    expect(await readdir(join(dir, 'sha256'))).toEqual([first.sha256]);
  });

  it('refuses content beyond maxBytes and leaves no file behind', async () => {
    await expect(store.put(chunks('12345', '67890', 'x'), { maxBytes: 10 })).rejects.toThrow(
      ContentTooLarge,
    );
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('keeps nothing when the bytes do not hash to the expected digest', async () => {
    const expected = createHash('sha256').update('other').digest('hex');
    await expect(
      store.put(chunks('these'), { maxBytes: 10, expectedSha256: expected }),
    ).rejects.toThrow(ContentDigestMismatch);
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('leaves no file behind when the stream fails', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.from('part'));
        this.destroy(new Error('connection reset'));
      },
    });
    await expect(store.put(failing, { maxBytes: 100 })).rejects.toThrow('connection reset');
    expect(await readdir(join(dir, 'sha256'))).toEqual([]);
  });

  it('answers has false, open ENOENT and remove quietly for an absent digest', async () => {
    const absent = 'a'.repeat(64);
    expect(await store.has(absent)).toBe(false);
    expect(await store.stat(absent)).toBeNull();
    await expect(store.open(absent)).rejects.toMatchObject({ code: 'ENOENT' });
    await store.remove(absent);
    const stored = await store.put(chunks('gone'), { maxBytes: 10 });
    await store.remove(stored.sha256);
    expect(await store.has(stored.sha256)).toBe(false);
  });

  it('refuses a digest that is not 64 lower-case hex digits (no path outside the store)', async () => {
    await expect(store.has('../../etc/passwd')).rejects.toThrow(TypeError);
    expect(() => store.pathOf('A'.repeat(64))).toThrow(TypeError);
  });
});
