import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, type EntityManager } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { APP_CONFIG, type AppConfig, runsProjections } from '../config/app-config';
import { deploymentDecider } from '../deployments/deployment.decider';
import { CLOCK, type Clock } from '../ledger/clock';
import { SerialWork } from '../ledger/database/serial-work';
import { type CommandContext, derivedUuid } from '../ledger/commands/command-context';
import { StreamWriter } from '../ledger/commands/stream-writer';
import { type Actor, EVENT_LOG, type EventLog } from '../ledger/event-log.port';
import { streams } from '../ledger/stream-names';
import { deploymentStanding } from '../predictions/deployment-standing';
import {
  type RecordPredictionBatch,
  predictionBatchDecider,
} from '../predictions/prediction-batch.decider';
import type { BatchBins, BinnedCounts } from '../predictions/prediction.events';
import type { Binning } from '../serving/served-model';
import type { DecisionReceipt } from '../serving/decision-receipt';
import { ReceiptTree } from './receipt-tree';

/** Who records the batches Attest seals from its own receipts. */
export const RECEIPT_SEALER: Actor = { sub: 'attest:receipt-sealer', roles: [] };

/** The first key of every sealing lock ('ATRC'); the second is 32 bits of the seal key. */
export const SEAL_LOCK_NAMESPACE = 0x41545243;

/** Receipts in one batch at most when sealing by time alone (SEAL_EVERY_RECEIPTS=0). */
export const MAX_BATCH_RECEIPTS = 10_000;

/** How often the sealer looks for due receipts at most, and at least. */
const POLL_MS = { min: 20, max: 1_000 };

export type SealedBatch = {
  batchId: string;
  eventId: string;
  ledgerPosition: string;
  count: number;
  root: string;
};

type BatchRow = {
  batch_id: string;
  seal_key: string;
  deployment_id: string;
  version: string;
  count: number;
  root: string;
  status: 'assigned' | 'recorded';
};

type ReceiptRow = {
  receipt: DecisionReceipt;
  receipt_hash: string;
  score_bin: number;
  feature_bins: Record<string, number | null>;
  latency_ms: number;
  binning_digest: string;
};

/**
 * Seals decision receipts into PredictionBatchRecorded events (README, "Decision receipts"):
 * every SEAL_EVERY_RECEIPTS waiting receipts of one seal key (deployment, version, artifact,
 * runtime, binning), or SEAL_INTERVAL_MS after the oldest of them was written.
 *
 * Three steps, so a crash anywhere loses nothing and records nothing twice:
 * 1. one transaction gives the receipts a new batch id and their leaf indices, and stores the
 *    batch as 'assigned' with its Merkle root (a PostgreSQL advisory lock per seal key keeps
 *    two replicas from assigning the same receipts);
 * 2. the batch's PredictionBatchRecorded is appended to `prediction-batch-<batchId>`: a repeat
 *    finds it recorded and appends nothing;
 * 3. the batch is marked 'recorded' with its event id.
 * Every pass finishes 'assigned' batches first (those a stopped process left), then seals.
 */
@Injectable()
export class ReceiptSealer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('ReceiptSealer');
  private readonly work = new SerialWork<SealedBatch[]>({
    pass: () => this.pass(false),
    nextDelayMs: () => this.pollMs(),
    logger: this.logger,
    // An outage is logged once where requests meet it (DatabaseOutage), as the other loops do.
    failure: 'sealing receipts failed; retrying',
  });
  /** Batches whose recording failed and was logged: logged again only when it succeeds. */
  private readonly failing = new Set<string>();

  constructor(
    private readonly db: DataSource,
    private readonly writer: StreamWriter,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /**
   * Sealing runs when either trigger is set; the first pass finishes what a crash left. An API
   * process (ATTEST_ROLE=api) leaves timed sealing to the projectors (README, "Projector role").
   */
  onApplicationBootstrap(): void {
    const { sealEveryReceipts, sealIntervalMs } = this.config.receipts;
    if (sealEveryReceipts === 0 && sealIntervalMs === 0) return;
    if (!runsProjections(this.config.role)) return;
    this.work.start(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.work.close();
  }

  /**
   * One pass: records the batches left 'assigned', then seals what is due (everything waiting
   * with `all`). One pass at a time in a process; a call during a pass waits for it and runs
   * another.
   */
  seal(options: { all?: boolean } = {}): Promise<SealedBatch[]> {
    return this.work.run(() => this.pass(options.all === true));
  }

  private get closing(): boolean {
    return this.work.closing;
  }

  private pollMs(): number {
    const interval = this.config.receipts.sealIntervalMs;
    return Math.max(POLL_MS.min, Math.min(POLL_MS.max, interval > 0 ? interval / 2 : POLL_MS.max));
  }

  /**
   * A batch the ledger refuses (its deployment unknown) or that fails for a while stays assigned
   * and is tried again next pass; it holds up no other batch.
   */
  private async pass(all: boolean): Promise<SealedBatch[]> {
    const sealed: SealedBatch[] = [];
    const recordEach = async (batchIds: string[]) => {
      for (const batchId of batchIds) {
        const recorded = await this.record(batchId).catch((error: unknown) => {
          if (this.closing) throw error;
          return undefined;
        });
        if (recorded) sealed.push(recorded);
      }
    };
    await recordEach(await this.assignedBatches());
    for (;;) {
      const assigned = await this.assignDue(all);
      if (assigned.length === 0) return sealed;
      await recordEach(assigned);
    }
  }

  /** Batches assigned and not yet recorded, oldest first. */
  async assignedBatches(): Promise<string[]> {
    const rows = (await this.db.query(
      `SELECT batch_id FROM receipt_batches WHERE status = 'assigned' ORDER BY created_at, batch_id`,
    )) as { batch_id: string }[];
    return rows.map((row) => row.batch_id);
  }

  /**
   * Step 1 for every seal key that is due (every key with waiting receipts, with `all`): the
   * ids of the batches assigned, at most one per key per call.
   */
  async assignDue(all = false): Promise<string[]> {
    const { sealEveryReceipts, sealIntervalMs } = this.config.receipts;
    const groups = (await this.db.query(
      `SELECT seal_key, count(*)::int AS waiting,
              $1::int > 0 AND now() - min(written_at) >= $1::int * interval '1 millisecond'
                AS overdue
         FROM decision_receipts WHERE batch_id IS NULL GROUP BY seal_key ORDER BY min(seq)`,
      [sealIntervalMs],
    )) as { seal_key: string; waiting: number; overdue: boolean }[];
    const limit = sealEveryReceipts > 0 ? sealEveryReceipts : MAX_BATCH_RECEIPTS;
    const assigned: string[] = [];
    for (const group of groups) {
      const full = sealEveryReceipts > 0 && group.waiting >= sealEveryReceipts;
      if (!all && !full && !group.overdue) continue;
      // A full batch is sealed whole; an overdue one (or all) with what waits.
      const batchId = await this.assign(group.seal_key, limit, all || group.overdue ? 1 : limit);
      if (batchId) assigned.push(batchId);
    }
    return assigned;
  }

  /**
   * Step 1 for one seal key: the first `limit` waiting receipts in write order, if at least
   * `minimum` wait, become a batch. Null when another process holds the key's lock or too few
   * receipts wait.
   */
  async assign(sealKey: string, limit: number, minimum = 1): Promise<string | null> {
    return this.db.transaction(async (manager) => {
      const [{ locked }] = (await manager.query(
        'SELECT pg_try_advisory_xact_lock($1::int4, $2::int4) AS locked',
        [SEAL_LOCK_NAMESPACE, createHash('sha256').update(sealKey).digest().readInt32BE(0)],
      )) as { locked: boolean }[];
      if (!locked) return null;
      const rows = (await manager.query(
        `SELECT seq, receipt_hash, deployment_id, version FROM decision_receipts
          WHERE seal_key = $1 AND batch_id IS NULL ORDER BY seq LIMIT $2 FOR UPDATE`,
        [sealKey, limit],
      )) as { seq: string; receipt_hash: string; deployment_id: string; version: string }[];
      if (rows.length === 0 || rows.length < minimum) return null;
      const batchId = uuidv7();
      const root = new ReceiptTree(rows.map((row) => row.receipt_hash)).root();
      await manager.query(
        `INSERT INTO receipt_batches (batch_id, seal_key, deployment_id, version, first_seq,
           last_seq, count, root, status)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'assigned')`,
        [
          batchId,
          sealKey,
          rows[0].deployment_id,
          rows[0].version,
          rows[0].seq,
          rows[rows.length - 1].seq,
          rows.length,
          root,
        ],
      );
      await assignLeaves(
        manager,
        batchId,
        rows.map((row) => row.seq),
      );
      return batchId;
    });
  }

  /**
   * Steps 2 and 3 for an assigned batch: its PredictionBatchRecorded (appended once, whatever
   * the number of attempts or replicas), then the batch marked recorded.
   */
  async record(batchId: string): Promise<SealedBatch> {
    try {
      const recorded = await this.recordEvent(batchId);
      if (this.failing.delete(batchId)) this.logger.log(`receipt batch ${batchId} recorded`);
      return recorded;
    } catch (error) {
      if (!this.failing.has(batchId)) {
        this.failing.add(batchId);
        this.logger.warn({ err: error }, `receipt batch ${batchId} is not recorded yet`);
      }
      throw error;
    }
  }

  private async recordEvent(batchId: string): Promise<SealedBatch> {
    const [batch] = (await this.db.query('SELECT * FROM receipt_batches WHERE batch_id = $1', [
      batchId,
    ])) as BatchRow[];
    if (!batch) throw new Error(`no receipt batch ${batchId}`);
    const receipts = (
      (await this.db.query(
        `SELECT receipt, receipt_hash, score_bin, feature_bins, latency_ms, binning_digest
           FROM decision_receipts WHERE batch_id = $1 ORDER BY leaf_index`,
        [batchId],
      )) as (Omit<ReceiptRow, 'receipt'> & { receipt: string })[]
    ).map((row) => ({ ...row, receipt: JSON.parse(row.receipt) as DecisionReceipt }));
    if (receipts.length !== batch.count) {
      throw new Error(
        `receipt batch ${batchId} holds ${receipts.length} of ${batch.count} receipts`,
      );
    }
    const root = new ReceiptTree(receipts.map((row) => row.receipt_hash)).root();
    if (root !== batch.root) throw new Error(`receipt batch ${batchId}: its receipts changed`);
    const [{ binning }] = (await this.db.query(
      'SELECT binning FROM receipt_binnings WHERE binning_digest = $1',
      [receipts[0].binning_digest],
    )) as { binning: Binning }[];

    const data = summarise(batchId, receipts, binning, root);
    const now = this.clock().toISOString();
    const context: CommandContext = {
      actor: { ...RECEIPT_SEALER, roles: [...RECEIPT_SEALER.roles] },
      now,
      correlationId: batchId,
      commandId: derivedUuid('receipt-seal', batchId),
    };
    const stream = streams.predictionBatch(batchId);
    const outcome = await this.writer.execute(
      stream,
      predictionBatchDecider,
      async (facts) => ({
        type: 'RecordPredictionBatch' as const,
        data,
        deployment: deploymentStanding(
          data.deploymentId,
          await facts.state(deploymentDecider, streams.deployment(data.deploymentId)),
        ),
        sealed: true,
        actor: RECEIPT_SEALER.sub,
        now,
      }),
      context,
    );
    const eventId = outcome.eventIds[0] ?? (await this.eventLog.readStream(stream))[0]?.id;
    if (!eventId) throw new Error(`receipt batch ${batchId}: its event cannot be read`);
    await this.db.query(
      `UPDATE receipt_batches SET status = 'recorded', event_id = $2, ledger_position = $3,
         recorded_at = now() WHERE batch_id = $1`,
      [batchId, eventId, outcome.ledgerPosition],
    );
    return { batchId, eventId, ledgerPosition: outcome.ledgerPosition, count: batch.count, root };
  }
}

/** Gives the receipts (by seq, in leaf order) their batch and leaf index. */
async function assignLeaves(manager: EntityManager, batchId: string, seqs: string[]) {
  await manager.query(
    `UPDATE decision_receipts AS d SET batch_id = $1, leaf_index = u.leaf - 1
       FROM unnest($2::bigint[]) WITH ORDINALITY AS u(seq, leaf) WHERE d.seq = u.seq`,
    [batchId, seqs],
  );
}

/**
 * The batch's PredictionBatchRecorded data from its receipts, in leaf order: nothing a receipt
 * does not already hold, and no input values (the receipts keep none).
 */
export function summarise(
  batchId: string,
  rows: readonly ReceiptRow[],
  binning: Binning,
  root: string,
): RecordPredictionBatch['data'] {
  const first = rows[0].receipt;
  const last = rows[rows.length - 1].receipt;
  const times = rows.map((row) => Date.parse(row.receipt.scoredAt));
  const from = Math.min(...times);
  // A window ends after it starts: a batch scored within one millisecond ends 1 ms later.
  const to = Math.max(from + 1, Math.max(...times));
  const decisions = { positive: 0, negative: 0 };
  for (const { receipt } of rows) decisions[receipt.decision]++;
  const bins = binsOf(rows, binning);
  return {
    batchId,
    deploymentId: first.deploymentId,
    model: first.model,
    version: first.version,
    environment: first.environment,
    count: rows.length,
    window: { from: new Date(from).toISOString(), to: new Date(to).toISOString() },
    inputDigest: inputDigestOf(rows.map((row) => row.receipt.inputDigest)),
    outputDistribution: decisions,
    featureSummaries: bins.features.map(({ feature, missing }) => ({
      feature,
      mean: null,
      stddev: null,
      missing,
    })),
    latencyMs: percentiles(rows.map((row) => row.latency_ms)),
    decisions: { automated: rows.length, referred: 0 },
    bins,
    receipts: {
      root,
      count: rows.length,
      firstReceiptId: first.receiptId,
      lastReceiptId: last.receiptId,
      onnxruntimeVersion: first.onnxruntimeVersion,
      artifactDigest: first.artifactDigest,
    },
  };
}

/** `sha256:<hex>` over the receipts' input digests in leaf order, one per line. */
export function inputDigestOf(inputDigests: readonly string[]): string {
  return `sha256:${createHash('sha256').update(inputDigests.join('\n')).digest('hex')}`;
}

/** Nearest-rank percentiles of the receipts' latencies. */
function percentiles(values: number[]): { p50: number; p95: number; p99: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)];
  return { p50: at(50), p95: at(95), p99: at(99) };
}

/** Counts per bin of the score and of every feature the binning names, in name order. */
function binsOf(rows: readonly ReceiptRow[], binning: Binning): BatchBins {
  const count = (size: number, indices: (number | null | undefined)[]): BinnedCounts => {
    const counts = new Array<number>(size).fill(0);
    let missing = 0;
    for (const index of indices) {
      if (index === null || index === undefined || !(index >= 0 && index < size)) missing++;
      else counts[index]++;
    }
    return { counts, missing };
  };
  const features: BatchBins['features'] = [
    ...Object.keys(binning.numeric),
    ...Object.keys(binning.categorical),
  ]
    .sort()
    .map((feature) => {
      const indices = rows.map((row) => row.feature_bins[feature]);
      const edges = binning.numeric[feature];
      if (edges) return { feature, edges, ...count(edges.length + 1, indices) };
      const categories = binning.categorical[feature];
      return { feature, categories, ...count(categories.length + 1, indices) };
    });
  return {
    baseline: { source: binning.source, id: binning.sourceId },
    score: {
      edges: binning.score,
      ...count(
        binning.score.length + 1,
        rows.map((row) => row.score_bin),
      ),
    },
    features,
  };
}
