import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../ledger/projections/projection';
import { INTEGRITY_EVENT_TYPES, type IntegrityEvent } from './integrity.events';

/** Signed checkpoints by tree size, and every key that ever signed one (the JWKS). */
@Injectable()
@ReadModelProjection()
export class CheckpointsProjection implements Projection {
  readonly name = 'ledger-checkpoints';
  readonly eventTypes = INTEGRITY_EVENT_TYPES;
  readonly tables = ['ledger_checkpoints', 'ledger_signing_keys'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = recorded as unknown as IntegrityEvent & { id: string };
    switch (event.type) {
      case 'LedgerCheckpointSigned': {
        const { data } = event;
        // Two replicas may sign the same size: the first recorded stands.
        await manager.query(
          `INSERT INTO ledger_checkpoints
             (tree_size, root_hash, log_id, signed_at, key_id, jws, event_id)
           VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (tree_size) DO NOTHING`,
          [
            data.treeSize,
            data.rootHash,
            data.logId,
            data.timestamp,
            data.keyId,
            data.jws,
            event.id,
          ],
        );
        return;
      }
      case 'LedgerSigningKeyActivated': {
        const { data } = event;
        await manager.query(
          `INSERT INTO ledger_signing_keys (key_id, public_jwk, activated_at, event_id)
           VALUES ($1, $2, $3, $4) ON CONFLICT (key_id) DO NOTHING`,
          [data.keyId, JSON.stringify(data.publicJwk), data.activatedAt, event.id],
        );
        return;
      }
    }
  }
}
