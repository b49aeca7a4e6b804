import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import rateLimit from '@fastify/rate-limit';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { RateLimitConfig } from '../../config/app-config';
import type { Actor } from '../event-log.port';
import { DomainError } from '../ledger.errors';
import { problemType } from './problem-details.filter';

/**
 * Who a bearer token names, or a rejection: what the rate limits need of authentication. The
 * auth capability's TokenVerifier is one; the ledger does not import it (docs/architecture.md,
 * "Boundaries").
 */
export interface BearerVerifier {
  verify(authorization: string | undefined): Promise<Actor>;
}

/** Longer request targets get 414; Node refuses a request line and headers over 16 KiB with 431. */
export const MAX_URL_LENGTH = 8192;
const WINDOW_MS = 60_000;

export class TooManyRequests extends DomainError {
  readonly code = 'too-many-requests';
  readonly status = 429;

  constructor(detail: string, retryAfterSeconds: number) {
    super(detail);
    Object.assign(this.details, { retryAfterSeconds: Math.max(1, Math.ceil(retryAfterSeconds)) });
  }
}

export class UriTooLong extends DomainError {
  readonly code = 'uri-too-long';
  readonly status = 414;

  constructor() {
    super(`the request target is longer than ${MAX_URL_LENGTH} characters`);
  }
}

/**
 * Probes and the metrics scrape: never counted against a caller's quota nor refused for an
 * address's failed authentications (a kubelet or Prometheus shares its address with others).
 */
const UNLIMITED = /^(\/api\/v\d+)?\/health\/[^/]+$|^\/metrics$/;
export const isUnlimited = (request: FastifyRequest): boolean =>
  UNLIMITED.test(request.url.split('?', 1)[0]);
/** Addresses whose failed authentications are remembered at most; the oldest go first. */
const MAX_FAILURE_WINDOWS = 100_000;

/** Paths whose answers may be cached: the OpenAPI UI's assets, the public keys, the verifier. */
const CACHEABLE =
  /^\/(api\/docs(\/|-json$|$)|\.well-known\/jwks\.json$|api\/v1\/verifier\/attest-verify\.js$)/;

/** The security headers (README, "Configuration"): the same on every answer. */
const HELMET: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'self'"],
      // The OpenAPI UI at /api/docs loads its scripts from here and styles itself inline.
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:'],
      connectSrc: ["'self'"],
      fontSrc: ["'self'", 'data:'],
      objectSrc: ["'none'"],
      baseUri: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
    },
  },
  frameguard: { action: 'deny' },
  referrerPolicy: { policy: 'no-referrer' },
  crossOriginResourcePolicy: { policy: 'same-origin' },
};

/** What a bare Fastify answers with anyway; every other header of the probe below is helmet's. */
const OWN_HEADERS = new Set(['content-type', 'content-length', 'date', 'connection', 'keep-alive']);

/**
 * The headers @fastify/helmet sends with HELMET, read once from a throwaway server. Registered on
 * the service itself, the plugin builds helmet's middleware again for every request (parsing the
 * policy's directives each time) in two hooks of its own; with no per-request part (no nonces, no
 * per-route options) the answer is the same every time, so it is set from this table instead.
 */
async function securityHeaders(): Promise<Record<string, string>> {
  const probe = new FastifyAdapter().getInstance();
  try {
    await probe.register(helmet, HELMET);
    probe.get('/', (_request, reply) => reply.send(''));
    const answer = await probe.inject({ method: 'GET', url: '/' });
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(answer.headers)) {
      if (!OWN_HEADERS.has(name) && typeof value === 'string') headers[name] = value;
    }
    if (!headers['content-security-policy']) throw new Error('helmet sent no security headers');
    return headers;
  } finally {
    await probe.close();
  }
}

/**
 * Security headers on every answer, `Cache-Control: no-store` on everything but public assets,
 * 414 for over-long targets, and the rate limits (README: Configuration): requests per caller
 * (the verified token's subject, else the address) and failed authentications per address.
 */
export async function hardenHttp(
  app: NestFastifyApplication,
  limits: RateLimitConfig,
  verifier: BearerVerifier,
  /** RATE_LIMIT_SCORING_PER_MINUTE: a caller with the scoring role asks for decisions at volume (README, "Serving"). */
  scoringPerMinute = limits.perMinute,
  /**
   * The console's session cookie (README, "Console"): a signed-in person's access token, so their
   * console requests count against their own quota, not their address's.
   */
  sessionCookie?: string,
): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const security = await securityHeaders();
  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.headers(security);
    if (request.url.length > MAX_URL_LENGTH) return done(new UriTooLong());
    if (!CACHEABLE.test(request.url)) void reply.header('Cache-Control', 'no-store');
    done();
  });

  if (limits.authFailuresPerMinute > 0) {
    limitAuthFailures(app, limits.authFailuresPerMinute, verifier, sessionCookie);
  }
  if (limits.perMinute > 0) {
    await app.register(rateLimit, {
      global: true,
      hook: 'onRequest',
      max: async (request: FastifyRequest) => {
        const actor = await verifiedActor(request, verifier, sessionCookie);
        if (!actor?.roles.includes('scoring')) return limits.perMinute;
        return scoringPerMinute > 0 ? scoringPerMinute : Number.MAX_SAFE_INTEGER;
      },
      timeWindow: WINDOW_MS,
      allowList: (request: FastifyRequest) => isUnlimited(request),
      // A token's subject only once it verifies: a forged token must not spend another's quota.
      keyGenerator: async (request: FastifyRequest) => {
        const actor = await verifiedActor(request, verifier, sessionCookie);
        return actor ? `sub:${actor.sub}` : `ip:${request.ip}`;
      },
      errorResponseBuilder: (_request, context) =>
        new TooManyRequests(
          `more than ${context.max} requests a minute from this caller; retry after ${context.after}`,
          context.ttl / 1000,
        ),
      addHeadersOnExceeding: {
        'x-ratelimit-limit': true,
        'x-ratelimit-remaining': true,
        'x-ratelimit-reset': true,
      },
    });
  }
}

/**
 * The verified caller of a request's bearer token, or of its console session cookie when it sends
 * no Authorization header (undefined: none, or it does not verify).
 */
function verifiedActor(
  request: FastifyRequest,
  verifier: BearerVerifier,
  sessionCookie: string | undefined,
): Promise<Actor | undefined> {
  let actor = verifications.get(request);
  if (!actor) {
    const authorization = credentialsOf(request, sessionCookie);
    actor = authorization
      ? verifier.verify(authorization).catch(() => undefined)
      : Promise.resolve(undefined);
    verifications.set(request, actor);
  }
  return actor;
}

/** The request's Authorization header, else its console session as a bearer token, else none. */
function credentialsOf(request: FastifyRequest, sessionCookie: string | undefined) {
  if (request.headers.authorization !== undefined) return request.headers.authorization;
  const cookie = sessionCookie
    ? (request as { cookies?: Record<string, string | undefined> }).cookies?.[sessionCookie]
    : undefined;
  return cookie ? `Bearer ${cookie}` : undefined;
}
const verifications = new WeakMap<FastifyRequest, Promise<Actor | undefined>>();

/**
 * Every failed authentication counts against the caller's address: a token that does not verify
 * as the request arrives (counted at once, so a burst of bad tokens sent together is cut short
 * too), or another answer 401. Once an address has `max` in a minute, its requests without a
 * token that verifies get 429 until the minute is over; a request whose token verifies passes
 * (to its own per-caller limit), so one client retrying an expired token behind a NAT or gateway
 * does not lock out the others sharing its address.
 */
function limitAuthFailures(
  app: NestFastifyApplication,
  max: number,
  verifier: BearerVerifier,
  sessionCookie: string | undefined,
): void {
  const fastify = app.getHttpAdapter().getInstance();
  // In the order the windows were opened, which is the order they end in: the first is the oldest.
  const windows = new Map<string, { failures: number; resetAt: number }>();
  const windowOf = (address: string, now: number) => {
    let window = windows.get(address);
    if (!window || window.resetAt <= now) {
      windows.delete(address);
      for (const [key, oldest] of windows) {
        if (oldest.resetAt > now && windows.size < MAX_FAILURE_WINDOWS) break;
        windows.delete(key);
      }
      window = { failures: 0, resetAt: now + WINDOW_MS };
      windows.set(address, window);
    }
    return window;
  };
  const refusal = (resetAt: number) =>
    new TooManyRequests(
      `more than ${max} failed authentications a minute from this address`,
      (resetAt - Date.now()) / 1000,
    );
  const counted = new WeakSet<FastifyRequest>();
  fastify.addHook('onRequest', (request, _reply, done) => {
    const window = windowOf(request.ip, Date.now());
    const decide = (verified: boolean) => {
      if (request.headers.authorization && !verified) {
        counted.add(request);
        window.failures++;
      }
      if (window.failures > max || (window.failures === max && !counted.has(request))) {
        if (!verified && !isUnlimited(request)) return done(refusal(window.resetAt));
      }
      done();
    };
    // A request with no token and no session (a probe, a scrape) is decided without a promise.
    if (!credentialsOf(request, sessionCookie)) return decide(false);
    void verifiedActor(request, verifier, sessionCookie).then((actor) => decide(Boolean(actor)));
  });
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (reply.statusCode === 401 && !counted.has(request))
      windowOf(request.ip, Date.now()).failures++;
    done(null, payload);
  });
}

/**
 * Requests Node's parser refuses before Fastify sees them (headers over 16 KiB: 431; a broken
 * request line: 400) are answered as problem+json too, on the raw socket.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, title, code] =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? [431, 'Request Header Fields Too Large', 'request-header-fields-too-large']
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? [408, 'Request Timeout', 'request-timeout']
        : [400, 'Bad Request', 'bad-request'];
  const body = JSON.stringify({
    type: problemType(code),
    title,
    status,
    detail:
      status === 431
        ? 'the request line and headers are larger than the server accepts'
        : 'the request could not be parsed',
    code,
  });
  socket.end(
    `HTTP/1.1 ${status} ${title}\r\n` +
      'Content-Type: application/problem+json\r\n' +
      'X-Content-Type-Options: nosniff\r\n' +
      'Cache-Control: no-store\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      'Connection: close\r\n\r\n' +
      body,
  );
}

/** Every operation may answer 429 (README: Access): documented once here rather than per route. */
export function withRateLimitResponses(document: OpenAPIObject): OpenAPIObject {
  const problem = document.components?.schemas?.ProblemView
    ? { $ref: '#/components/schemas/ProblemView' }
    : { type: 'object' as const };
  for (const item of Object.values(document.paths)) {
    for (const method of ['get', 'put', 'post', 'delete', 'patch'] as const) {
      const operation = item[method];
      if (!operation || operation.responses['429']) continue;
      operation.responses['429'] = {
        description:
          'Too many requests from this caller (RATE_LIMIT_PER_MINUTE) or too many failed authentications from this address (RATE_LIMIT_AUTH_FAILURES_PER_MINUTE); see Retry-After',
        headers: {
          'Retry-After': { description: 'Seconds to wait', schema: { type: 'integer' } },
        },
        content: { 'application/problem+json': { schema: problem } },
      };
    }
  }
  return document;
}
