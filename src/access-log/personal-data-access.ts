import {
  CallHandler,
  ExecutionContext,
  Injectable,
  NestInterceptor,
  SetMetadata,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Observable, from, mergeMap } from 'rxjs';
import type { Actor } from '../ledger/event-log.port';
import { AccessLogRecorder } from './access-log.recorder';

const PERSONAL_DATA = 'attest:personal-data';

interface PersonalDataRule {
  kind: string;
  /** The ids of what the answer shows that holds personal data; none → nothing to record. */
  shown: (body: unknown) => string[];
}

/** This read can show personal data: each answer that does is recorded before it is sent. */
export const RecordsPersonalDataAccess = (kind: string, shown: PersonalDataRule['shown']) =>
  SetMetadata(PERSONAL_DATA, { kind, shown } satisfies PersonalDataRule);

/** The route handler declares a personal-data record (RecordsPersonalDataAccess). */
export const recordsPersonalData = (handler: object): boolean =>
  Reflect.getMetadata(PERSONAL_DATA, handler) !== undefined;

/** Records `PersonalDataAccessed`, failing the read (503) if the record cannot be written. */
@Injectable()
export class PersonalDataAccessInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly recorder: AccessLogRecorder,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const rule = this.reflector.get<PersonalDataRule | undefined>(
      PERSONAL_DATA,
      context.getHandler(),
    );
    if (!rule) return next.handle();
    const request = context.switchToHttp().getRequest<FastifyRequest & { actor?: Actor }>();
    return next.handle().pipe(
      mergeMap((body: unknown) => {
        const ids = rule.shown(body);
        if (ids.length === 0 || !request.actor) return from([body]);
        return from(
          this.recorder
            .personalData(request.actor, {
              kind: rule.kind,
              ids,
              url: request.url,
              correlationId: String(request.id),
            })
            .then(() => body),
        );
      }),
    );
  }
}
