import { CallHandler, ExecutionContext, Inject, Injectable, NestInterceptor } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { Observable, from, switchMap } from 'rxjs';
import { APP_CONFIG, AppConfig } from '../../config/app-config';
import { EVENT_LOG, EventLog } from '../event-log.port';
import { InvalidRequest, ProjectionsBehind } from '../ledger.errors';
import { ProjectionRunner } from '../projections/projection-runner';

export const LEDGER_POSITION_HEADER = 'x-ledger-position';

/** A GET carrying X-Ledger-Position waits until every projection has passed that position. */
@Injectable()
export class ReadYourWritesInterceptor implements NestInterceptor {
  constructor(
    private readonly runner: ProjectionRunner,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    const header = request.headers[LEDGER_POSITION_HEADER];
    if (request.method !== 'GET' || header === undefined) return next.handle();
    const position = Array.isArray(header) ? header[0] : header;
    if (!this.eventLog.isPosition(position)) {
      throw new InvalidRequest('invalid X-Ledger-Position', {
        'X-Ledger-Position': ['must be a ledgerPosition returned by a write to this ledger'],
      });
    }
    const timeout = this.config.readWaitTimeoutMs;
    return from(this.runner.waitFor(position, timeout)).pipe(
      switchMap((reached) => {
        if (!reached) throw new ProjectionsBehind(position, timeout);
        return next.handle();
      }),
    );
  }
}
