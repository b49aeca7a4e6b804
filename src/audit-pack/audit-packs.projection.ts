import { Injectable } from '@nestjs/common';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
} from '../ledger/projections/projection';
import { recordset } from '../ledger/projections/batching';
import type { AuditPackEvent } from './audit-pack.events';

/**
 * `audit_packs`: one row per pack handed out (README, "Audit packs"), from AuditPackIssued. A run
 * of them is one insert; a replayed event changes nothing.
 */
@Injectable()
@ReadModelProjection()
export class AuditPacksProjection extends DeclaredProjection<AuditPackEvent> {
  readonly name = 'audit-packs';
  readonly tables = ['audit_packs'];

  protected readonly handlers: Handlers<AuditPackEvent> = {
    AuditPackIssued: async (events, { manager }) => {
      await manager.query(
        `INSERT INTO audit_packs (pack_id, event_id, model, version, sha256, bytes, cited_events,
           tree_size, issued_by, issued_at)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(pack_id uuid, event_id uuid,
           model text, version text, sha256 text, bytes bigint, cited_events int,
           tree_size bigint, issued_by text, issued_at timestamptz)
         ON CONFLICT (pack_id) DO NOTHING`,
        [
          recordset(
            events.map(({ id, data }) => ({
              pack_id: data.packId,
              event_id: id,
              model: data.model,
              version: data.version,
              sha256: data.sha256,
              bytes: data.bytes,
              cited_events: data.citedEvents,
              tree_size: data.treeSize,
              issued_by: data.issuedBy,
              issued_at: data.issuedAt,
            })),
          ),
        ],
      );
    },
  };
}
