import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { canonicalJson } from '../ledger/canonical-json';
import type { Binning } from '../serving/served-model';
import { ReceiptSink, type ReceiptToWrite, receiptTextHash } from '../serving/decision-receipt';

/** Rows per INSERT at most: a larger group waits for the next statement. */
const MAX_ROWS_PER_STATEMENT = 5_000;
/** Statements in flight at once; writes arriving meanwhile gather into the next one. */
const MAX_IN_FLIGHT = 2;

type Pending = {
  rows: Row[];
  binnings: Map<string, Binning>;
  resolve: () => void;
  reject: (error: unknown) => void;
};

/**
 * One decision_receipts row, its values already as the INSERT sends them: the receipt as its
 * canonical JSON text (what its hash covers), feature bins as JSON text.
 */
type Row = {
  receipt_id: string;
  deployment_id: string;
  version: string;
  receipt: string;
  receipt_hash: string;
  score: number;
  score_bin: number;
  feature_bins: string;
  latency_ms: number;
  scored_at: string;
  seal_key: string;
  binning_digest: string;
};

/**
 * The INSERT's columns in the order of its array parameters, with their array types; strings
 * are quoted in the array literal, numbers (always finite, see toRow) are not.
 */
const COLUMNS: readonly [keyof Row, string][] = [
  ['receipt_id', 'uuid'],
  ['deployment_id', 'text'],
  ['version', 'text'],
  ['receipt', 'text'],
  ['receipt_hash', 'text'],
  ['score', 'float8'],
  ['score_bin', 'int2'],
  ['feature_bins', 'jsonb'],
  ['latency_ms', 'float8'],
  ['scored_at', 'timestamptz'],
  ['seal_key', 'text'],
  ['binning_digest', 'text'],
];

/**
 * A PostgreSQL array literal of the column's values: every string double-quoted, its quotes
 * and backslashes escaped, so no value is read as NULL or split. Built here because the driver's generic
 * array conversion costs several times more for thousands of long strings.
 */
function arrayLiteral(rows: readonly Row[], column: keyof Row): string {
  const quote = (value: string | number) =>
    typeof value === 'number' ? String(value) : `"${value.replace(/[\\"]/g, '\\$&')}"`;
  return `{${rows.map((row) => quote(row[column])).join(',')}}`;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * A Binning's digest, remembered per object: a served version hands the same Binning to every
 * receipt it writes, so each row does not hash it again.
 */
const binningDigests = new WeakMap<Binning, string>();
export function binningDigest(binning: Binning): string {
  let digest = binningDigests.get(binning);
  if (!digest) {
    digest = `sha256:${sha256(canonicalJson(binning))}`;
    binningDigests.set(binning, digest);
  }
  return digest;
}

/**
 * What receipts must share to be sealed into one batch: one PredictionBatchRecorded names one
 * deployment, version, artifact, onnxruntime version and baseline binning.
 */
export function sealKey(receipt: ReceiptToWrite['receipt'], binning: string): string {
  const parts = [
    receipt.deploymentId,
    receipt.version,
    receipt.artifactDigest,
    receipt.onnxruntimeVersion,
    binning,
  ];
  // The same few keys recur on every row of a version: each is hashed once.
  const id = parts.join('\u0000');
  let key = sealKeys.get(id);
  if (key === undefined) {
    if (sealKeys.size >= 1_000) sealKeys.clear();
    key = sha256(canonicalJson(parts));
    sealKeys.set(id, key);
  }
  return key;
}
const sealKeys = new Map<string, string>();

/** A bin index the binning has room for: bins are counted at sealing without a second look. */
function inBins(index: number, edges: readonly unknown[] | undefined): boolean {
  return edges !== undefined && Number.isInteger(index) && index >= 0 && index <= edges.length;
}

/** A feature's edges or categories in the binning; undefined when it names no such feature. */
function binEdges(binning: Binning, feature: string): readonly unknown[] | undefined {
  if (Object.hasOwn(binning.numeric, feature)) return binning.numeric[feature];
  if (Object.hasOwn(binning.categorical, feature)) return binning.categorical[feature];
  return undefined;
}

function toRow({ receipt, summary }: ReceiptToWrite, digest: string): Row {
  if (!Number.isFinite(receipt.outputs.score) || !Number.isFinite(summary.latencyMs))
    throw new TypeError(`receipt ${receipt.receiptId}: score and latency must be finite`);
  const { binning } = summary;
  const badBins = Object.entries(summary.featureBins)
    .filter(([feature, index]) => index !== null && !inBins(index, binEdges(binning, feature)))
    .map(([feature]) => feature);
  if (!inBins(summary.scoreBin, binning.score)) badBins.unshift('score');
  if (badBins.length > 0) {
    throw new RangeError(
      `receipt ${receipt.receiptId}: bin index outside the binning for ${badBins.join(', ')}`,
    );
  }
  const text = canonicalJson(receipt);
  return {
    receipt_id: receipt.receiptId,
    deployment_id: receipt.deploymentId,
    version: receipt.version,
    receipt: text,
    // receiptHash(receipt), from the text already made.
    receipt_hash: receiptTextHash(text),
    score: receipt.outputs.score,
    score_bin: summary.scoreBin,
    feature_bins: JSON.stringify(summary.featureBins),
    latency_ms: summary.latencyMs,
    scored_at: receipt.scoredAt,
    seal_key: sealKey(receipt, digest),
    binning_digest: digest,
  };
}

/**
 * The ReceiptSink (README, "Decision receipts"): every write() waits for its rows to be stored,
 * and the writes that arrive while a statement is being prepared or run are stored together by
 * the next one, a single multi-row INSERT (group commit). Under load a statement carries many
 * requests' rows; alone, a write costs one round trip.
 */
@Injectable()
export class ReceiptWriter extends ReceiptSink implements OnApplicationShutdown {
  private queue: Pending[] = [];
  private scheduled = false;
  private inFlight = 0;
  private idle: (() => void)[] = [];
  /** Binnings known to be stored, so a statement does not send them again. */
  private readonly storedBinnings = new Set<string>();
  /** INSERT statements run so far, and the rows they stored: grouping is observable. */
  readonly stats = { statements: 0, rows: 0 };

  constructor(private readonly db: DataSource) {
    super();
  }

  write(receipts: readonly ReceiptToWrite[]): Promise<void> {
    if (receipts.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const binnings = new Map<string, Binning>();
      let rows: Row[];
      try {
        rows = receipts.map((item) => {
          const digest = binningDigest(item.summary.binning);
          if (!this.storedBinnings.has(digest)) binnings.set(digest, item.summary.binning);
          return toRow(item, digest);
        });
      } catch (error) {
        reject(error);
        return;
      }
      this.queue.push({ rows, binnings, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves once every write so far has been stored or refused. */
  async onApplicationShutdown(): Promise<void> {
    if (this.queue.length === 0 && this.inFlight === 0) return;
    await new Promise<void>((resolve) => this.idle.push(resolve));
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    // After the current I/O callbacks: every write of this turn of the event loop joins.
    setImmediate(() => {
      this.scheduled = false;
      void this.flush();
    });
  }

  private async flush(): Promise<void> {
    const group: Pending[] = [];
    let count = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (group.length > 0 && count + next.rows.length > MAX_ROWS_PER_STATEMENT) break;
      group.push(this.queue.shift() as Pending);
      count += next.rows.length;
    }
    if (group.length === 0) return;
    this.inFlight++;
    this.schedule();
    try {
      const binnings = new Map<string, Binning>();
      for (const pending of group)
        for (const [digest, binning] of pending.binnings) binnings.set(digest, binning);
      await this.insert(
        group.flatMap((pending) => pending.rows),
        binnings,
      );
      for (const digest of binnings.keys()) this.storedBinnings.add(digest);
      for (const pending of group) pending.resolve();
    } catch (error) {
      for (const pending of group) pending.reject(error);
    } finally {
      this.inFlight--;
      this.schedule();
      if (this.queue.length === 0 && this.inFlight === 0) {
        for (const resolve of this.idle.splice(0)) resolve();
      }
    }
  }

  /**
   * One statement for the whole group: each column travels as one typed array parameter, read
   * in order by unnest WITH ORDINALITY (seq follows it): no per-row JSON to parse on the server.
   * New binnings are stored by the same statement.
   */
  private async insert(rows: Row[], binnings: Map<string, Binning>): Promise<void> {
    this.stats.statements++;
    this.stats.rows += rows.length;
    const binningRows = [...binnings].map(([binning_digest, binning]) => ({
      binning_digest,
      binning,
    }));
    const names = COLUMNS.map(([name]) => name).join(', ');
    const arrays = COLUMNS.map(([, type], i) => `$${i + 2}::${type}[]`).join(', ');
    await this.db.query(
      `WITH binnings AS (
         INSERT INTO receipt_binnings (binning_digest, binning)
         SELECT b.binning_digest, b.binning
           FROM jsonb_to_recordset($1::jsonb) AS b(binning_digest text, binning jsonb)
         ON CONFLICT (binning_digest) DO NOTHING
       )
       INSERT INTO decision_receipts (${names})
       SELECT ${names}
         FROM unnest(${arrays}) WITH ORDINALITY AS r(${names}, ordinality)
        ORDER BY r.ordinality`,
      [JSON.stringify(binningRows), ...COLUMNS.map(([name]) => arrayLiteral(rows, name))],
    );
  }
}
