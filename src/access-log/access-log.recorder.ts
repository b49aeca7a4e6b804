import { Inject, Injectable } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { v7 as uuidv7 } from 'uuid';
import { CLOCK, type Clock } from '../ledger/clock';
import { EVENT_LOG, type Actor, type EventLog, type JsonObject } from '../ledger/event-log.port';
import { checkNewEvent } from '../ledger/events/event-registry';
import { streams } from '../ledger/stream-names';
import type { AccessLogEvent } from './access-log.events';

const SAFE_ACTOR = /^[A-Za-z0-9._:@-]{1,100}$/;

/**
 * Appends access records to the ledger itself, so the access log is append-only, hash-chained
 * and verifiable like every other fact. One stream per person; appends never conflict ('any').
 */
@Injectable()
export class AccessLogRecorder {
  /** Appends to one person's stream, one after another: concurrent reads never race each other. */
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async regulatorRequest(
    actor: Actor,
    request: { method: string; url: string; status: number; correlationId: string },
  ): Promise<void> {
    await this.append(actor, request.correlationId, {
      type: 'RegulatorAccessed',
      data: {
        sub: actor.sub,
        roles: actor.roles,
        method: request.method,
        url: request.url,
        status: request.status,
        accessedAt: this.clock().toISOString(),
      },
    });
  }

  async personalData(
    actor: Actor,
    access: { kind: string; ids: string[]; url: string; correlationId: string },
  ): Promise<void> {
    await this.append(actor, access.correlationId, {
      type: 'PersonalDataAccessed',
      data: {
        sub: actor.sub,
        roles: actor.roles,
        kind: access.kind,
        ids: access.ids,
        url: access.url,
        accessedAt: this.clock().toISOString(),
      },
    });
  }

  private append(actor: Actor, correlationId: string, event: AccessLogEvent): Promise<void> {
    const stream = streams.accessLog(actorKey(actor.sub));
    const previous = this.queues.get(stream) ?? Promise.resolve();
    const appended = previous
      .catch(() => undefined)
      .then(() => this.appendNow(stream, actor, correlationId, event));
    this.queues.set(stream, appended);
    void appended
      .finally(() => {
        if (this.queues.get(stream) === appended) this.queues.delete(stream);
      })
      .catch(() => undefined);
    return appended;
  }

  private async appendNow(
    stream: string,
    actor: Actor,
    correlationId: string,
    event: AccessLogEvent,
  ): Promise<void> {
    const id = uuidv7();
    await this.eventLog.append(
      stream,
      [
        {
          id,
          type: event.type,
          data: event.data as unknown as JsonObject,
          metadata: {
            // Checked against its type's schema before it reaches the store (README, "Event schemas").
            schemaVersion: checkNewEvent(event.type, event.data),
            occurredAt: event.data.accessedAt,
            actor: { sub: actor.sub, roles: [...actor.roles] },
            correlationId,
            causationId: id,
          },
        },
      ],
      { expectedRevision: 'any' },
    );
  }
}

/** A subject usable in a stream name as it is, or a digest of it. */
function actorKey(sub: string): string {
  return SAFE_ACTOR.test(sub) ? sub : createHash('sha256').update(sub).digest('hex').slice(0, 32);
}
