import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { firstPerKey, recordset } from '../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  type ProjectionContext,
  type Recorded,
  ReadModelProjection,
} from '../ledger/projections/projection';
import type {
  IntegrityEvent,
  LedgerCheckpointSigned,
  LedgerSigningKeyActivated,
} from './integrity.events';

/** A page's events, gathered run by run. */
interface CheckpointEvents {
  checkpoints: Recorded<LedgerCheckpointSigned>[];
  keys: Recorded<LedgerSigningKeyActivated>[];
}

/**
 * Signed checkpoints by tree size, and every key that ever signed one (the JWKS). The handlers
 * gather a page's events, written at its end by one statement; the first recorded stands, in
 * the store and within the page (two replicas may sign the same size).
 */
@Injectable()
@ReadModelProjection()
export class CheckpointsProjection extends DeclaredProjection<IntegrityEvent, CheckpointEvents> {
  readonly name = 'ledger-checkpoints';
  readonly tables = ['ledger_checkpoints', 'ledger_signing_keys'];

  protected readonly handlers: Handlers<IntegrityEvent, CheckpointEvents> = {
    LedgerCheckpointSigned: (events, _context, page) => {
      page.checkpoints.push(...events);
    },
    LedgerSigningKeyActivated: (events, _context, page) => {
      page.keys.push(...events);
    },
  };

  protected override openPage(): CheckpointEvents {
    return { checkpoints: [], keys: [] };
  }

  protected override async closePage(
    page: CheckpointEvents,
    { manager }: ProjectionContext,
  ): Promise<void> {
    if (page.checkpoints.length > 0 || page.keys.length > 0) await insert(manager, page);
  }
}

async function insert(manager: EntityManager, page: CheckpointEvents): Promise<void> {
  const checkpoints = firstPerKey(page.checkpoints, (event) => String(event.data.treeSize)).map(
    ({ id, data }) => ({
      tree_size: data.treeSize,
      root_hash: data.rootHash,
      log_id: data.logId,
      signed_at: data.timestamp,
      key_id: data.keyId,
      jws: data.jws,
      event_id: id,
    }),
  );
  const keys = firstPerKey(page.keys, (event) => event.data.keyId).map(({ id, data }) => ({
    key_id: data.keyId,
    public_jwk: data.publicJwk,
    activated_at: data.activatedAt,
    event_id: id,
  }));
  await manager.query(
    `WITH checkpoints AS (
       INSERT INTO ledger_checkpoints (tree_size, root_hash, log_id, signed_at, key_id, jws, event_id)
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS r(tree_size bigint, root_hash text,
         log_id text, signed_at timestamptz, key_id text, jws text, event_id uuid)
       ON CONFLICT (tree_size) DO NOTHING)
     INSERT INTO ledger_signing_keys (key_id, public_jwk, activated_at, event_id)
     SELECT * FROM jsonb_to_recordset($2::jsonb) AS r(key_id text, public_jwk jsonb,
       activated_at timestamptz, event_id uuid)
     ON CONFLICT (key_id) DO NOTHING`,
    [recordset(checkpoints), recordset(keys)],
  );
}
