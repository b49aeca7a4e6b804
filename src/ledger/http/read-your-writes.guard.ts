import { CanActivate, ExecutionContext, Inject, Injectable } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { EVENT_LOG, EventLog } from '../event-log.port';
import { InvalidRequest, ProjectionsBehind } from '../ledger.errors';
import { ProjectionRunner } from '../projections/projection-runner';

export const LEDGER_POSITION_HEADER = 'x-ledger-position';

/**
 * A GET carrying X-Ledger-Position waits until every projection has passed that position. A
 * guard, after the access guard (so a caller is known before anyone waits), not an interceptor:
 * a guard with nothing to do costs a header lookup, while every route under a global
 * interceptor pays Nest's observable wrapping per request (README, "Benchmark").
 */
@Injectable()
export class ReadYourWritesGuard implements CanActivate {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[LEDGER_POSITION_HEADER];
    if (request.method !== 'GET' || header === undefined) return true;
    const position = Array.isArray(header) ? header[0] : header;
    if (!this.eventLog.isPosition(position)) {
      throw new InvalidRequest('invalid X-Ledger-Position', {
        'X-Ledger-Position': ['must be a ledgerPosition returned by a write to this ledger'],
      });
    }
    const timeout = this.config.readWaitTimeoutMs;
    if (!(await this.runner.waitFor(position, timeout))) {
      throw new ProjectionsBehind(position, timeout);
    }
    return true;
  }
}
