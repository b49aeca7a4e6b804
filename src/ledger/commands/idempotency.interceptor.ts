import {
  CallHandler,
  ExecutionContext,
  Inject,
  Injectable,
  NestInterceptor,
  OnModuleInit,
} from '@nestjs/common';
import { createHmac } from 'node:crypto';
import type { FastifyReply } from 'fastify';
import { Observable, catchError, from, mergeMap, of, tap } from 'rxjs';
import { DataSource } from 'typeorm';
import { SERVER_PEPPER } from '../../config/config.module';
import type { SubjectPepper } from '../../config/subject-pepper';
import { canonicalJson } from '../canonical-json';
import { DomainError, InvalidRequest } from '../ledger.errors';
import type { CommandRequest } from './command-context';
import { IdempotencyOwner } from './idempotency-owner';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
const KEY_PATTERN = /^[\x21-\x7e]{1,255}$/;
/** A claim older than this whose owner cannot be checked (or is alive) is taken over. */
const STALE_CLAIM_SECONDS = 60;

/**
 * How an Idempotency-Key is stored, logged and turned into event ids: an HMAC-SHA-256 under the
 * privacy pepper (README: PRIVACY_PEPPER), so a key made of a customer id reveals nothing and
 * cannot be confirmed by guessing. Domain-separated from subject refs, so the digest of a key
 * equal to a subject id is not that subject's ref.
 */
export function idempotencyKeyDigest(pepper: string, key: string): string {
  return createHmac('sha256', Buffer.from(pepper, 'utf8'))
    .update(`idempotency-key\u0000${key}`)
    .digest('hex');
}

export class IdempotencyKeyReused extends DomainError {
  readonly code = 'idempotency-key-reused';
  readonly status = 422;

  constructor() {
    super('this Idempotency-Key was already used for a different request');
  }
}

export class IdempotencyKeyInFlight extends DomainError {
  readonly code = 'idempotency-key-in-flight';
  readonly status = 409;

  constructor() {
    super('a request with this Idempotency-Key is still being processed');
    Object.assign(this.details, { retryAfterSeconds: 1 });
  }
}

interface StoredKey {
  request_hash: string;
  state: 'pending' | 'done';
  response: unknown;
  owner: number | null;
  stale: boolean;
}

/** Rows a DELETE or UPDATE … RETURNING touched (TypeORM answers [rows, count] for those). */
function touched(result: unknown): number {
  const [first, count] = result as [unknown, unknown];
  return Array.isArray(first) && typeof count === 'number' ? count : (result as unknown[]).length;
}

/**
 * Idempotency-Key on a write: the same key and body give the first answer again and append
 * nothing; the same key with another body is a 422. Keys are scoped to the caller (token `sub`).
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnModuleInit {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SERVER_PEPPER) private readonly pepper: SubjectPepper,
    private readonly owner: IdempotencyOwner,
  ) {}

  /**
   * Rows stored with raw keys, before migration 1764200000019 or since by an older release still
   * running beside this one (its INSERT leaves `key_digested` at its default, false), are
   * digested now.
   */
  async onModuleInit(): Promise<void> {
    const raw = (await this.dataSource.query(
      'SELECT scope, key FROM idempotency_keys WHERE NOT key_digested',
    )) as { scope: string; key: string }[];
    for (const { scope, key } of raw) {
      try {
        await this.dataSource.query(
          `UPDATE idempotency_keys SET key = $3, key_digested = true
           WHERE scope = $1 AND key = $2 AND NOT key_digested`,
          [scope, key, idempotencyKeyDigest(this.pepper.secret, key)],
        );
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
        // A retry this release served stored the digest already: that claim stands.
        await this.dataSource.query(
          'DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND NOT key_digested',
          [scope, key],
        );
      }
    }
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<CommandRequest>();
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    if (!['POST', 'PUT', 'PATCH'].includes(request.method) || header === undefined) {
      return next.handle();
    }
    const raw = Array.isArray(header) ? header[0] : header;
    if (!KEY_PATTERN.test(raw)) {
      throw new InvalidRequest('invalid Idempotency-Key', {
        'Idempotency-Key': ['must be 1 to 255 visible ASCII characters'],
      });
    }
    const scope = request.actor?.sub;
    if (!scope) return next.handle();
    // An upload (a model artifact) is a stream, not hashed before it is read; it is idempotent by
    // its content digest already: the same bytes again append nothing, other bytes are refused.
    if (typeof (request.body as { pipe?: unknown } | undefined)?.pipe === 'function') {
      return next.handle();
    }
    // From here on only the digest exists: stored, compared, and the seed of derived event ids.
    const key = idempotencyKeyDigest(this.pepper.secret, raw);
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
      `INSERT INTO idempotency_keys (scope, key, request_hash, state, owner, key_digested)
       VALUES ($1, $2, $3, 'pending', $4, true)
       ON CONFLICT (scope, key) DO NOTHING RETURNING key`,
      [scope, key, requestHash, this.owner.id],
    )) as unknown[];
    if (inserted.length > 0) return undefined;
    const [stored] = (await this.dataSource.query(
      `SELECT request_hash, state, response, owner,
              created_at < now() - make_interval(secs => $3) AS stale
       FROM idempotency_keys WHERE scope = $1 AND key = $2`,
      [scope, key, STALE_CLAIM_SECONDS],
    )) as StoredKey[];
    if (!stored) return this.claim(scope, key, requestHash);
    if (stored.request_hash !== requestHash) throw new IdempotencyKeyReused();
    if (stored.state === 'done') return stored.response;
    // Its owner died after claiming (its instance lock is gone, or the claim is too old for any
    // live request): take over. Derived event ids make a repeated append harmless.
    const ownerGone = stored.owner !== this.owner.id && !(await this.owner.isAlive(stored.owner));
    if (!ownerGone && !stored.stale) throw new IdempotencyKeyInFlight();
    const taken = await this.dataSource.query(
      `UPDATE idempotency_keys SET created_at = now(), owner = $4
       WHERE scope = $1 AND key = $2 AND state = 'pending' AND owner IS NOT DISTINCT FROM $3::integer
       RETURNING key`,
      [scope, key, stored.owner, this.owner.id],
    );
    if (touched(taken) === 0) throw new IdempotencyKeyInFlight();
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
      .query(
        `DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'pending' AND owner = $3`,
        [scope, key, this.owner.id],
      )
      .catch(() => undefined);
  }
}

function isUniqueViolation(error: unknown): boolean {
  const withCode = error as { code?: unknown; driverError?: { code?: unknown } } | undefined;
  return (withCode?.driverError?.code ?? withCode?.code) === '23505';
}
