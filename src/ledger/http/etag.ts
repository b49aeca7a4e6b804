import { createHash } from 'node:crypto';
import type { FastifyInstance } from 'fastify';

/**
 * A strong ETag on every successful read, from the answer's bytes; `If-None-Match` with the same
 * tag answers 304 with no body. Read models only change when the ledger does, so a client polling
 * a view pays for the body only when something happened.
 *
 * Taken as the answer leaves (Fastify's onSend), from the body already serialised for the wire:
 * the body is not turned into JSON a second time to be hashed. A file or a stream (a PDF) is not
 * tagged (its bytes are not known here), nor an answer that carries a tag of its own (a model
 * artifact, the verifier, the console's assets). Added before the regulator access record's
 * onSend hook, so that record shows the 304 the caller gets.
 */
export function tagReads(fastify: FastifyInstance): void {
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (
      request.method !== 'GET' ||
      reply.statusCode !== 200 ||
      (typeof payload !== 'string' && !Buffer.isBuffer(payload)) ||
      payload.length === 0 ||
      reply.hasHeader('etag')
    ) {
      return done(null, payload);
    }
    const tag = `"${createHash('sha256').update(payload).digest('base64url').slice(0, 32)}"`;
    void reply.header('ETag', tag);
    const asked = request.headers['if-none-match'];
    if (asked !== undefined && matches(asked, tag)) {
      // No body, and so no Content-Length for an empty one.
      void reply.code(304);
      return done(null, null);
    }
    done(null, payload);
  });
}

function matches(asked: string, tag: string): boolean {
  return asked.split(',').some((one) => {
    const trimmed = one.trim();
    return trimmed === tag || trimmed === '*';
  });
}
