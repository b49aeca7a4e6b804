import {
  ArgumentsHost,
  Catch,
  ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { classifyDatabaseError } from '../database/database-errors';
import type { DatabaseOutage } from '../database/database-outage';
import { DomainError, InvalidRequest, LedgerUnavailable } from '../ledger.errors';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  code: string;
  correlationId?: string;
  [extension: string]: unknown;
}

const TITLES: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  409: 'Conflict',
  408: 'Request Timeout',
  410: 'Gone',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

export function problemType(code: string): string {
  return `urn:attest:problem:${code}`;
}

/** Builds the RFC 9457 body for any error: domain errors, Nest's HTTP errors, Fastify's, the rest. */
export function toProblem(error: unknown, request?: FastifyRequest): ProblemDetails {
  const base = { instance: request?.url, correlationId: correlationIdOf(request) };
  if (error instanceof LedgerUnavailable) {
    // The driver's text can name the database and server: it goes to the log, not the caller.
    return {
      ...error.details,
      ...base,
      type: problemType(error.code),
      title: TITLES[503],
      status: 503,
      detail: 'the ledger is unavailable: the database cannot be reached now; retry later',
      code: error.code,
    };
  }
  if (error instanceof DomainError) {
    // Details first: an extension member can never overwrite the status, type or code.
    return {
      ...error.details,
      ...base,
      type: problemType(error.code),
      title: TITLES[error.status] ?? 'Error',
      status: error.status,
      detail: error.message,
      code: error.code,
    };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const response = error.getResponse();
    const detail =
      typeof response === 'string'
        ? response
        : String((response as { message?: unknown }).message ?? error.message);
    const code = slug(TITLES[status] ?? 'error');
    // Terminus puts the failed checks in the body: keep them, under `checks`.
    const checks =
      typeof response === 'object' && 'details' in response ? { checks: response } : {};
    return {
      ...base,
      type: problemType(code),
      title: TITLES[status] ?? 'Error',
      status,
      detail,
      code,
      ...checks,
    };
  }
  const fastifyStatus = (error as { statusCode?: number } | undefined)?.statusCode;
  if (fastifyStatus && fastifyStatus >= 400 && fastifyStatus < 500) {
    const code = slug((error as { code?: string }).code ?? TITLES[fastifyStatus] ?? 'bad-request');
    return {
      ...base,
      type: problemType(code),
      title: TITLES[fastifyStatus] ?? 'Error',
      status: fastifyStatus,
      detail: (error as Error).message,
      code,
    };
  }
  const failure = classifyDatabaseError(error);
  if (failure === 'bad-value') {
    return toProblem(
      new InvalidRequest(
        `the database cannot use a value in this request: ${(error as Error).message}`,
        {},
      ),
      request,
    );
  }
  if (failure === 'unavailable') {
    return toProblem(new LedgerUnavailable('the database cannot be reached now'), request);
  }
  return {
    ...base,
    type: problemType('internal-error'),
    title: TITLES[500],
    status: 500,
    detail: 'An unexpected error occurred; it has been logged with the correlation id.',
    code: 'internal-error',
  };
}

export function sendProblem(reply: FastifyReply, problem: ProblemDetails): void {
  if (problem.status === 401) void reply.header('WWW-Authenticate', 'Bearer realm="attest"');
  const retryAfter = (problem as { retryAfterSeconds?: number }).retryAfterSeconds;
  if (problem.status === 503 || problem.status === 429 || retryAfter !== undefined)
    void reply.header('Retry-After', String(retryAfter ?? 1));
  void reply
    .status(problem.status)
    .header('Content-Type', 'application/problem+json')
    .send(problem);
}

function slug(text: string): string {
  return text
    .replace(/^FST_ERR_/, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/** The request's X-Correlation-Id (Fastify's request id, see correlationIdFor in app.module.ts). */
function correlationIdOf(request?: FastifyRequest): string | undefined {
  const id: unknown = request?.id;
  return typeof id === 'string' ? id : undefined;
}

/** The one exception filter: every error leaves as application/problem+json. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  /** With an outage tracker, a database outage is logged once, not once per request. */
  constructor(private readonly outage?: DatabaseOutage) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const problem = toProblem(error, request);
    if (
      this.outage?.noteError(error, `${request.method} ${request.routeOptions?.url ?? 'request'}`)
    )
      return sendProblem(reply, problem);
    // Errors raised on purpose (domain errors, Nest's HTTP exceptions: a failed readiness check)
    // are answers, not faults.
    if (
      problem.status >= HttpStatus.INTERNAL_SERVER_ERROR &&
      !(error instanceof DomainError) &&
      !(error instanceof HttpException)
    ) {
      this.logger.error({ err: error, correlationId: problem.correlationId }, 'unhandled error');
    } else if (error instanceof DomainError && error.status === HttpStatus.INTERNAL_SERVER_ERROR) {
      // A 500 raised on purpose (integrity-violation: a stored node no longer matches) is a fault
      // an operator must hear of; its message names tables and indexes, never event data.
      this.logger.error(
        { code: error.code, correlationId: problem.correlationId },
        `${request.method} ${request.routeOptions?.url ?? 'request'}: ${error.message}`,
      );
    }
    sendProblem(reply, problem);
  }
}
