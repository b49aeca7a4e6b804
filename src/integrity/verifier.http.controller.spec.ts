import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyReply } from 'fastify';
import { VerifierHttpController, VerifierNotBuilt } from './verifier.http.controller';

/** The headers a handler sets, on a reply that only records them. */
function recordingReply(): { reply: FastifyReply; headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  const reply = {
    header(name: string, value: string) {
      headers[name] = value;
      return reply;
    },
  };
  return { reply: reply as unknown as FastifyReply, headers };
}

describe('the verifier download', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'attest-verifier-'));
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it('answers 503 verifier-not-built, not a crash, when the build did not make the file', async () => {
    const controller = new VerifierHttpController(join(dir, 'attest-verify.js'));
    const refused = controller.verifier(recordingReply().reply);
    await expect(refused).rejects.toBeInstanceOf(VerifierNotBuilt);
    await expect(refused).rejects.toMatchObject({ status: 503, code: 'verifier-not-built' });
  });

  it('serves the file with its SHA-256, and the new one once it is rebuilt', async () => {
    const file = join(dir, 'attest-verify.js');
    const controller = new VerifierHttpController(file);
    for (const body of ['console.log(1);\n', 'console.log(22);\n']) {
      await writeFile(file, body);
      const { reply, headers } = recordingReply();
      const served = await controller.verifier(reply);
      const chunks: Buffer[] = [];
      for await (const chunk of served.getStream()) chunks.push(chunk as Buffer);
      expect(Buffer.concat(chunks).toString()).toBe(body);
      const sha256 = createHash('sha256').update(body).digest('hex');
      expect(headers['Attest-Content-SHA256']).toBe(sha256);
      expect(headers.ETag).toBe(`"${sha256}"`);
    }
  });
});
