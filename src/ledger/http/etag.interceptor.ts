import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  StreamableFile,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Observable, map } from 'rxjs';

/**
 * A strong ETag on every successful read, from the answer's bytes; `If-None-Match` with the same
 * tag answers 304 with no body. Read models only change when the ledger does, so a client polling
 * a view pays for the body only when something happened.
 */
@Injectable()
export class ETagInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const http = context.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    if (request.method !== 'GET') return next.handle();
    const reply = http.getResponse<FastifyReply>();
    return next.handle().pipe(
      map((body: unknown) => {
        // A file or a stream (a PDF) is not tagged: its bytes are not known here.
        if (body === undefined || reply.statusCode !== 200 || body instanceof StreamableFile) {
          return body;
        }
        const tag = `"${createHash('sha256').update(JSON.stringify(body)).digest('base64url').slice(0, 32)}"`;
        void reply.header('ETag', tag);
        const asked = request.headers['if-none-match'];
        const tags = typeof asked === 'string' ? asked.split(',').map((t) => t.trim()) : [];
        if (tags.includes(tag) || tags.includes('*')) {
          // Fastify drops the body of a 304; an empty string keeps Nest from serialising one.
          void reply.code(304);
          return '';
        }
        return body;
      }),
    );
  }
}
