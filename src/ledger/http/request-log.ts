import type { FastifyInstance } from 'fastify';
import { type Logger, type LoggerOptions, pino } from 'pino';
import type { LogLevel } from '../../config/app-config';
import { idempotencyKeyDigest } from '../commands/idempotency.interceptor';

/** Probes and scrapes are not logged per request. */
export const QUIET_PATHS: ReadonlySet<string> = new Set([
  '/metrics',
  '/api/v1/health/live',
  '/api/v1/health/ready',
]);

/**
 * The service's log lines (README, "Configuration": LOG_LEVEL): JSON, with credentials never
 * written; an Idempotency-Key may be made of a customer id, so it is logged as its keyed digest.
 */
export function logOptions(
  level: LogLevel,
  /** The privacy pepper (README: PRIVACY_PEPPER) the Idempotency-Key digest is keyed with. */
  pepper: string,
  /** Where the lines go (default stdout); tests read them from here. */
  stream?: NodeJS.WritableStream,
): LoggerOptions & { stream?: NodeJS.WritableStream } {
  return {
    level,
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'res.headers["set-cookie"]',
        'req.headers["idempotency-key"]',
      ],
      censor: (value: unknown, path: string[]) =>
        path[path.length - 1] === 'idempotency-key' && typeof value === 'string'
          ? `hmac-sha256:${idempotencyKeyDigest(pepper, value)}`
          : '[Redacted]',
    },
    ...(stream ? { stream } : {}),
  };
}

/** A logger with `logOptions`, writing to their stream. */
export function requestLogger(options: ReturnType<typeof logOptions>): Logger {
  const { stream, ...rest } = options;
  return stream ? pino(rest, stream) : pino(rest);
}

/**
 * One line per answered request, as it is sent ("request completed"; "request errored" for a
 * 5xx), with the request (its correlation id, method, target, query, headers with credentials
 * redacted, the peer), the answer's status and headers, and the time taken in ms. Nothing is done
 * per request when the level leaves these lines out. Written from Fastify's onResponse hook
 * rather than by a logging middleware, which built a child logger — serialising and redacting
 * every request's headers — for each request, logged or not.
 */
export function logRequests(fastify: FastifyInstance, logger: Logger): void {
  if (!logger.isLevelEnabled('info')) return;
  fastify.addHook('onResponse', (request, reply, done) => {
    if (QUIET_PATHS.has(request.url)) return done();
    const socket = request.raw.socket;
    const entry = {
      req: {
        id: request.id,
        method: request.method,
        url: request.url,
        query: request.query,
        headers: request.headers,
        remoteAddress: socket?.remoteAddress,
        remotePort: socket?.remotePort,
      },
      res: { statusCode: reply.statusCode, headers: reply.getHeaders() },
      responseTime: Math.round(reply.elapsedTime),
    };
    if (reply.statusCode >= 500) {
      const err = new Error(`failed with status code ${reply.statusCode}`);
      logger.info({ ...entry, err }, 'request errored');
    } else {
      logger.info(entry, 'request completed');
    }
    done();
  });
}
