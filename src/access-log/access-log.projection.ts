import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { recordset } from '../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type ProjectionContext,
  ReadModelProjection,
} from '../ledger/projections/projection';
import type { AccessLogEvent } from './access-log.events';

/** One access_log row, as the JSON record the insert reads it from. */
interface AccessRow {
  event_id: string;
  kind: 'regulator-request' | 'personal-data';
  actor_sub: string;
  actor_roles: string[];
  method: string | null;
  url: string;
  status: number | null;
  resource_kind: string | null;
  resource_ids: string[] | null;
  correlation_id: string;
  accessed_at: string;
}

/**
 * One row per access record, and a replay changes nothing. The handlers gather a page's rows,
 * written at its end by one insert.
 */
@Injectable()
@ReadModelProjection()
export class AccessLogProjection extends DeclaredProjection<AccessLogEvent, AccessRow[]> {
  readonly name = 'access-log';
  readonly tables = ['access_log'];

  protected readonly handlers: Handlers<AccessLogEvent, AccessRow[]> = {
    RegulatorAccessed: (events, _context, rows) => {
      rows.push(
        ...events.map(({ id, data, metadata }) => ({
          event_id: id,
          kind: 'regulator-request' as const,
          actor_sub: data.sub,
          actor_roles: data.roles,
          method: data.method,
          url: data.url,
          status: data.status,
          resource_kind: null,
          resource_ids: null,
          correlation_id: metadata.correlationId,
          accessed_at: data.accessedAt,
        })),
      );
    },
    PersonalDataAccessed: (events, _context, rows) => {
      rows.push(
        ...events.map(({ id, data, metadata }) => ({
          event_id: id,
          kind: 'personal-data' as const,
          actor_sub: data.sub,
          actor_roles: data.roles,
          method: null,
          url: data.url,
          status: null,
          resource_kind: data.kind,
          resource_ids: data.ids,
          correlation_id: metadata.correlationId,
          accessed_at: data.accessedAt,
        })),
      );
    },
  };

  protected override openPage(): AccessRow[] {
    return [];
  }

  protected override async closePage(
    rows: AccessRow[],
    { manager }: ProjectionContext,
  ): Promise<void> {
    if (rows.length > 0) await insertAccess(manager, rows);
  }
}

async function insertAccess(manager: EntityManager, rows: AccessRow[]): Promise<void> {
  await manager.query(
    `INSERT INTO access_log (event_id, kind, actor_sub, actor_roles, method, url, status,
       resource_kind, resource_ids, correlation_id, accessed_at)
     SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(event_id uuid, kind text, actor_sub text,
       actor_roles text[], method text, url text, status int, resource_kind text,
       resource_ids text[], correlation_id text, accessed_at timestamptz)
     ON CONFLICT (event_id) DO NOTHING`,
    [recordset(rows)],
  );
}
