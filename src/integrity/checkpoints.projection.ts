import { Injectable } from '@nestjs/common';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
} from '../ledger/projections/projection';
import type { IntegrityEvent } from './integrity.events';

/**
 * Signed checkpoints by tree size, and every key that ever signed one (the JWKS). A run of
 * either is one insert; the first recorded stands, in the store and within a run.
 */
@Injectable()
@ReadModelProjection()
export class CheckpointsProjection extends DeclaredProjection<IntegrityEvent> {
  readonly name = 'ledger-checkpoints';
  readonly tables = ['ledger_checkpoints', 'ledger_signing_keys'];

  protected readonly handlers: Handlers<IntegrityEvent> = {
    // Two replicas may sign the same size: the first recorded stands.
    LedgerCheckpointSigned: async (events, { manager }) => {
      const rows = firstBy(events, (event) => event.data.treeSize).map(({ id, data }) => ({
        tree_size: data.treeSize,
        root_hash: data.rootHash,
        log_id: data.logId,
        signed_at: data.timestamp,
        key_id: data.keyId,
        jws: data.jws,
        event_id: id,
      }));
      await manager.query(
        `INSERT INTO ledger_checkpoints
           (tree_size, root_hash, log_id, signed_at, key_id, jws, event_id)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(tree_size bigint, root_hash text,
           log_id text, signed_at timestamptz, key_id text, jws text, event_id uuid)
         ON CONFLICT (tree_size) DO NOTHING`,
        [JSON.stringify(rows)],
      );
    },
    LedgerSigningKeyActivated: async (events, { manager }) => {
      const rows = firstBy(events, (event) => event.data.keyId).map(({ id, data }) => ({
        key_id: data.keyId,
        public_jwk: data.publicJwk,
        activated_at: data.activatedAt,
        event_id: id,
      }));
      await manager.query(
        `INSERT INTO ledger_signing_keys (key_id, public_jwk, activated_at, event_id)
         SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(key_id text, public_jwk jsonb,
           activated_at timestamptz, event_id uuid)
         ON CONFLICT (key_id) DO NOTHING`,
        [JSON.stringify(rows)],
      );
    },
  };
}

/** The first of the events for each key, in ledger order. */
function firstBy<T>(events: readonly T[], key: (event: T) => string | number): T[] {
  const seen = new Set<string | number>();
  return events.filter((event) => {
    const k = key(event);
    if (seen.has(k)) return false;
    seen.add(k);
    return true;
  });
}
