import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../ledger/projections/projection';
import { ACCESS_LOG_EVENT_TYPES, type AccessLogEvent } from './access-log.events';

@Injectable()
@ReadModelProjection()
export class AccessLogProjection implements Projection {
  readonly name = 'access-log';
  readonly eventTypes = ACCESS_LOG_EVENT_TYPES;
  readonly tables = ['access_log'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as AccessLogEvent;
    const d = event.data;
    const [kind, method, status, resourceKind, resourceIds] =
      event.type === 'RegulatorAccessed'
        ? ['regulator-request', event.data.method, event.data.status, null, null]
        : ['personal-data', null, null, event.data.kind, event.data.ids];
    await manager.query(
      `INSERT INTO access_log (event_id, kind, actor_sub, actor_roles, method, url, status,
         resource_kind, resource_ids, correlation_id, accessed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (event_id) DO NOTHING`,
      [
        recorded.id,
        kind,
        d.sub,
        d.roles,
        method,
        d.url,
        status,
        resourceKind,
        resourceIds,
        recorded.metadata.correlationId,
        d.accessedAt,
      ],
    );
  }
}
