import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import type { JWK } from 'jose';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { CLOCK, type Clock } from '../ledger/clock';
import {
  type Actor,
  EVENT_LOG,
  type EventLog,
  type JsonObject,
  type LedgerPosition,
} from '../ledger/event-log.port';
import { checkNewEvent } from '../ledger/events/event-registry';
import { streams } from '../ledger/stream-names';
import { type SignedCheckpointFields, signCheckpoint, verifyCheckpoint } from './checkpoint';
import { IntegrityTree } from './integrity-tree';
import { IntegrityViolation } from './integrity-violation';
import { verifyConsistency } from './merkle';
import type { IntegrityEvent } from './integrity.events';
import type { SigningKey } from './signing-key';

export const SIGNING_KEY = Symbol('SigningKey');
export const AUTO_CHECKPOINTS = Symbol('AutoCheckpoints');

/** The service itself, as the author of the events it records on its own. */
export const SIGNER: Actor = { sub: 'attest:checkpoint-signer', roles: [] };

/** A checkpoint with the event that records it (and, just signed here, its position). */
export interface SignedCheckpoint extends SignedCheckpointFields {
  eventId: string;
  ledgerPosition: LedgerPosition | null;
}

/**
 * Signs checkpoints of the integrity tree: on demand, and on its own once
 * CHECKPOINT_EVERY_EVENTS events follow the last one or CHECKPOINT_INTERVAL_MS has passed with
 * an event unsigned. Each is recorded as LedgerCheckpointSigned; the first checkpoint a key
 * signs is preceded by LedgerSigningKeyActivated with its public half. Signing in one process
 * happens one at a time; two replicas may both sign a size, and the first recorded stands.
 */
@Injectable()
export class CheckpointSigner implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Checkpoints');
  private readonly tree: IntegrityTree;
  private queue: Promise<unknown> = Promise.resolve();
  private timer?: NodeJS.Timeout;
  private ticking?: Promise<void>;
  private keyRecorded = false;
  private last: { treeSize: number; at: number } | undefined;
  /** What this process signed last: the projection of its event may not have caught up yet. */
  private lastSigned?: SignedCheckpoint;

  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
    @Inject(AUTO_CHECKPOINTS) private readonly automatic: boolean,
  ) {
    this.tree = new IntegrityTree(dataSource);
  }

  onApplicationBootstrap(): void {
    const { checkpointEveryEvents, checkpointIntervalMs } = this.config.integrity;
    if (!this.automatic || (checkpointEveryEvents === 0 && checkpointIntervalMs === 0)) return;
    const every = Math.min(1000, checkpointIntervalMs || 1000);
    this.timer = setInterval(() => {
      this.ticking ??= this.tick().finally(() => (this.ticking = undefined));
    }, every);
    this.timer.unref();
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.ticking;
    await this.queue.catch(() => undefined);
  }

  /** Signs the tree as the integrity projection has built it so far. */
  signNow(): Promise<SignedCheckpoint> {
    const signed = this.queue.catch(() => undefined).then(() => this.sign());
    this.queue = signed;
    return signed;
  }

  /** The newest checkpoint recorded: as projected, or the one this process just signed. */
  async latest(): Promise<SignedCheckpoint | undefined> {
    const stored = await this.find('ORDER BY tree_size DESC LIMIT 1', []);
    return this.lastSigned && this.lastSigned.treeSize > (stored?.treeSize ?? -1)
      ? this.lastSigned
      : stored;
  }

  /**
   * The keys that verify checkpoints: every key the ledger recorded (retired ones too), and the
   * one in use even before its record is projected.
   */
  async jwks(): Promise<{ keys: JWK[] }> {
    const rows = (await this.dataSource.query(
      'SELECT key_id, public_jwk FROM ledger_signing_keys ORDER BY activated_at, key_id',
    )) as { key_id: string; public_jwk: JWK }[];
    const keys = rows.map((row) => row.public_jwk);
    if (!rows.some((row) => row.key_id === this.key.publicJwk.kid))
      keys.push({ ...this.key.publicJwk });
    return { keys };
  }

  /**
   * Throws IntegrityViolation unless the checkpoint's JWS verifies against the keys this service
   * publishes and says exactly what the checkpoint's fields say: what a regulator checks first,
   * so a stored checkpoint row changed behind the service's back is never cited.
   */
  async verify(checkpoint: SignedCheckpointFields): Promise<void> {
    let signed: SignedCheckpointFields | undefined;
    try {
      const { payload, kid } = await verifyCheckpoint(checkpoint.jws, await this.jwks());
      signed = { ...payload, keyId: kid, jws: checkpoint.jws };
    } catch (error) {
      throw new IntegrityViolation(`the checkpoint of ${checkpoint.treeSize} events`, {
        table: 'ledger_checkpoints',
        treeSize: checkpoint.treeSize,
        reason: (error as Error).message,
      });
    }
    for (const field of ['logId', 'treeSize', 'rootHash', 'timestamp', 'keyId'] as const) {
      if (signed[field] !== checkpoint[field]) {
        throw new IntegrityViolation(
          `the checkpoint of ${checkpoint.treeSize} events says another ${field} than its signature`,
          { table: 'ledger_checkpoints', treeSize: checkpoint.treeSize, field },
        );
      }
    }
  }

  /** The newest checkpoint signed at or before `instant` (the console's time travel). */
  async asOf(instant: Date): Promise<SignedCheckpoint | undefined> {
    return this.find('WHERE signed_at <= $1 ORDER BY tree_size DESC LIMIT 1', [instant]);
  }

  /** The checkpoint of exactly this tree size, if one was signed. */
  async at(treeSize: number): Promise<SignedCheckpoint | undefined> {
    if (this.lastSigned?.treeSize === treeSize) return this.lastSigned;
    return this.find('WHERE tree_size = $1', [treeSize]);
  }

  private async find(clause: string, parameters: unknown[]): Promise<SignedCheckpoint | undefined> {
    const [row] = (await this.dataSource.query(
      `SELECT tree_size, root_hash, log_id, signed_at, key_id, jws, event_id
       FROM ledger_checkpoints ${clause}`,
      parameters,
    )) as CheckpointRow[];
    return row ? checkpointOf(row) : undefined;
  }

  private async tick(): Promise<void> {
    try {
      const { checkpointEveryEvents: everyEvents, checkpointIntervalMs: interval } =
        this.config.integrity;
      if (!this.last) {
        const stored = await this.latest();
        this.last = {
          treeSize: stored?.treeSize ?? 0,
          at: stored ? Date.parse(stored.timestamp) : 0,
        };
      }
      const last = this.last;
      const size = await this.tree.size();
      const byCount = everyEvents > 0 && size - last.treeSize >= everyEvents;
      const byTime =
        interval > 0 &&
        this.clock().getTime() - last.at >= interval &&
        (await this.unsignedEventsFrom(last.treeSize));
      if (byCount || byTime) await this.signNow();
    } catch (error) {
      this.logger.warn(`could not sign a checkpoint: ${(error as Error).message}`);
    }
  }

  /** Whether a leaf at or after `from` is more than the service's own checkpoint records. */
  private async unsignedEventsFrom(from: number): Promise<boolean> {
    const rows = (await this.dataSource.query(
      `SELECT 1 FROM integrity_leaves
       WHERE leaf_index >= $1 AND event_type NOT IN ('LedgerCheckpointSigned', 'LedgerSigningKeyActivated')
       LIMIT 1`,
      [from],
    )) as unknown[];
    return rows.length > 0;
  }

  private async sign(): Promise<SignedCheckpoint> {
    await this.recordKey();
    const treeSize = await this.tree.size();
    const previous = await this.latest();
    // Nothing but the service's own checkpoint and key records since the last checkpoint: it
    // still stands (signing its own record would only ever chase the next one).
    if (
      previous &&
      (previous.treeSize >= treeSize || !(await this.unsignedEventsFrom(previous.treeSize)))
    )
      return previous;
    const rootHash = (await this.tree.root(treeSize)).toString('hex');
    if (previous && previous.treeSize > 0) await this.consistentWith(previous, treeSize, rootHash);
    const timestamp = this.clock().toISOString();
    const { logId } = this.config.integrity;
    const keyId = this.key.publicJwk.kid;
    const jws = await signCheckpoint(
      { logId, treeSize, rootHash, timestamp },
      { privateKey: this.key.privateKey, kid: keyId },
    );
    const data = { logId, treeSize, rootHash, timestamp, keyId, jws };
    const { eventId, position } = await this.record(streams.ledgerCheckpoints(), {
      type: 'LedgerCheckpointSigned',
      data,
    });
    this.last = { treeSize, at: Date.parse(timestamp) };
    this.lastSigned = { ...data, eventId, ledgerPosition: position };
    this.logger.log(`signed checkpoint of ${treeSize} events, root ${rootHash}`);
    return this.lastSigned;
  }

  /**
   * Never signs a tree the last checkpoint does not prove a prefix of: stored nodes changed
   * since would otherwise be signed as the ledger's.
   */
  private async consistentWith(
    previous: SignedCheckpoint,
    treeSize: number,
    rootHash: string,
  ): Promise<void> {
    await this.verify(previous);
    const proof = await this.tree.consistencyProof(previous.treeSize, treeSize);
    const roots = [previous.rootHash, rootHash].map((root) => Buffer.from(root, 'hex'));
    if (!verifyConsistency(previous.treeSize, treeSize, roots[0], roots[1], proof)) {
      throw new IntegrityViolation(
        `the tree of ${treeSize} events is not consistent with the checkpoint of ${previous.treeSize}`,
        { table: 'integrity_subtrees', treeSize, previousTreeSize: previous.treeSize },
      );
    }
  }

  private async recordKey(): Promise<void> {
    if (this.keyRecorded) return;
    const { kid } = this.key.publicJwk;
    const known = (await this.dataSource.query(
      'SELECT 1 FROM ledger_signing_keys WHERE key_id = $1',
      [kid],
    )) as unknown[];
    if (known.length === 0) {
      await this.record(streams.ledgerSigningKeys(), {
        type: 'LedgerSigningKeyActivated',
        data: {
          keyId: kid,
          publicJwk: { ...this.key.publicJwk } as JsonObject,
          activatedAt: this.clock().toISOString(),
        },
      });
    }
    this.keyRecorded = true;
  }

  private async record(
    stream: string,
    event: IntegrityEvent,
  ): Promise<{ eventId: string; position: LedgerPosition }> {
    const id = uuidv7();
    const { position } = await this.eventLog.append(
      stream,
      [
        {
          id,
          type: event.type,
          data: event.data as unknown as JsonObject,
          metadata: {
            // Checked against its type's schema before it reaches the store (README, "Event schemas").
            schemaVersion: checkNewEvent(event.type, event.data),
            occurredAt: this.clock().toISOString(),
            actor: { ...SIGNER, roles: [...SIGNER.roles] },
            correlationId: id,
            causationId: id,
          },
        },
      ],
      { expectedRevision: 'any' },
    );
    return { eventId: id, position };
  }
}

type CheckpointRow = {
  tree_size: string;
  root_hash: string;
  log_id: string;
  signed_at: Date;
  key_id: string;
  jws: string;
  event_id: string;
};

function checkpointOf(row: CheckpointRow): SignedCheckpoint {
  return {
    logId: row.log_id,
    treeSize: Number(row.tree_size),
    rootHash: row.root_hash,
    timestamp: new Date(row.signed_at).toISOString(),
    keyId: row.key_id,
    jws: row.jws,
    eventId: row.event_id,
    ledgerPosition: null,
  };
}
