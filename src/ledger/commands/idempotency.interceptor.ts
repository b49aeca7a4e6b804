import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Observable, catchError, from, mergeMap, of, tap } from 'rxjs';
import { DataSource } from 'typeorm';
import { SERVER_PEPPER } from '../../config/config.module';
import type { SubjectPepper } from '../../config/subject-pepper';
import { canonicalJson } from '../canonical-json';
import { DomainError, InvalidRequest } from '../ledger.errors';
import type { CommandRequest } from './command-context';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** A claim older than this belongs to a request that died between append and reply. */
const STALE_CLAIM_SECONDS = 60;

export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency-key-reused';
  readonly status = 422;

  constructor(key: string) {
    super(`Idempotency-Key ${key} was already used for a different request`);
    Object.assign(this.details, { idempotencyKey: key });
  }
}

export class IdempotencyKeyInFlight extends DomainError {
  readonly code = 'idempotency-key-in-flight';
  readonly status = 409;

  constructor(key: string) {
    super(`a request with Idempotency-Key ${key} is still being processed`);
    Object.assign(this.details, { idempotencyKey: key, retryAfterSeconds: 1 });
  }
}

interface StoredKey {
  request_hash: string;
  state: 'pending' | 'done';
  response: unknown;
  stale: boolean;
}

/**
 * Idempotency-Key on a write: the same key and body give the first answer again and append
 * nothing; the same key with another body is a 422. Keys are scoped to the caller (token `sub`).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVER_PEPPER) private readonly pepper: SubjectPepper,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<CommandRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (!['POST', 'PUT', 'PATCH'].includes(request.method) || header === undefined) {
      return next.handle();
    }
    const key = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(key)) {
      throw new InvalidRequest('invalid Idempotency-Key', {
        'Idempotency-Key': ['must be 1 to 255 visible ASCII characters'],
      });
    }
    const scope = request.actor?.sub;
    if (!scope) return next.handle();
    // Keyed, so a stored digest cannot be used to test guesses of what a body held (a subject id).
    const requestHash = createHmac('sha256', Buffer.from(this.pepper.secret, 'utf8'))
      .update(
        canonicalJson({ method: request.method, url: request.url, body: request.body ?? null }),
      )
      .digest('hex');
    return from(this.claim(scope, key, requestHash)).pipe(
      mergeMap((earlier) => {
        if (earlier !== undefined) {
          void context
            .switchToHttp()
            .getResponse<FastifyReply>()
            .header('Idempotent-Replayed', 'true');
          return of(earlier);
        }
        request.idempotencyKey = key;
        return next.handle().pipe(
          mergeMap((response: unknown) =>
            from(this.complete(scope, key, response)).pipe(mergeMap(() => of(response))),
          ),
          catchError((error: unknown) =>
            from(this.release(scope, key)).pipe(
              tap(() => {
                throw error;
              }),
            ),
          ),
        );
      }),
    );
  }

  /** Undefined when this request now owns the key; otherwise the answer recorded for it. */
  private async claim(scope: string, key: string, requestHash: string): Promise<unknown> {
    const inserted = (await this.dataSource.query(
      `INSERT INTO idempotency_keys (scope, key, request_hash, state) VALUES ($1, $2, $3, 'pending')
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, requestHash],
    )) as unknown[];
    if (inserted.length > 0) return undefined;
    const [stored] = (await this.dataSource.query(
      `SELECT request_hash, state, response, created_at < now() - make_interval(secs => $3) AS stale
       FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key, STALE_CLAIM_SECONDS],
    )) as StoredKey[];
    if (!stored) return this.claim(scope, key, requestHash);
    if (stored.request_hash !== requestHash) throw new IdempotencyKeyReused(key);
    if (stored.state === 'done') return stored.response;
    if (!stored.stale) throw new IdempotencyKeyInFlight(key);
    // Its owner died after claiming: take over. Derived event ids make a repeated append harmless.
    const taken = (await this.dataSource.query(
      `UPDATE idempotency_keys SET created_at = now()
       WHERE scope = $1 AND key = $2 AND state = 'pending' AND created_at < now() - make_interval(secs => $3)
       RETURNING key`,
      [scope, key, STALE_CLAIM_SECONDS],
    )) as unknown[];
    if (taken.length === 0) throw new IdempotencyKeyInFlight(key);
    return undefined;
  }

  private async complete(scope: string, key: string, response: unknown): Promise<void> {
    await this.dataSource.query(
      `UPDATE idempotency_keys SET state = 'done', response = $3::jsonb WHERE scope = $1 AND key = $2`,
      [scope, key, JSON.stringify(response ?? null)],
    );
  }

  /** A refused or failed command leaves the key free, so a corrected retry can use it. */
  private async release(scope: string, key: string): Promise<void> {
    await this.dataSource
      .query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'pending'`, [
        scope,
        key,
      ])
      .catch(() => undefined);
  }
}
