import { type FileHandle, open, readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToLoop } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { ArtifactStorage } from '../../artifacts/artifact-storage';
import { SERVER_PEPPER } from '../../config/config.module';
import type { SubjectPepper } from '../../config/subject-pepper';
import { CLOCK, type Clock } from '../../ledger/clock';
import { InvalidRequest } from '../../ledger/ledger.errors';
import { ReceiptSink, type ReceiptToWrite } from '../decision-receipt';
import type { ServedModel } from '../served-model';
import {
  MAX_ROWS,
  ONNXRUNTIME_VERSION,
  ServingScorer,
  buildReceipt,
  validateRows,
} from '../serving-api';
import { type BatchRow, type ColumnPlan, CsvFault, readRowChunks } from './batch-csv';
import {
  type BatchScoringJob,
  BatchScoringJobStore,
  HEARTBEAT_MS,
  HEARTBEAT_TIMEOUT_SECONDS,
} from './batch-scoring-job.store';

/**
 * Rows validated, scored, receipted and written at a time: small enough that storing a chunk's
 * receipts (in embedded PGlite, on this very thread) holds real-time requests up briefly.
 */
export const CHUNK_ROWS = 1_024;
/** Receipts built between two turns of the event loop. */
const RECEIPTS_PER_TURN = 256;
/** Progress is recorded after the first chunk, then at most this often (and at the end). */
const PROGRESS_EVERY_MS = 500;
/**
 * Chunks whose receipts may be being stored at once while the next is read and scored. One: the
 * receipt writer runs at most two statements at a time, and the other is left to real-time
 * requests, whose receipts would otherwise wait behind a batch's thousands.
 */
export const STORING_CHUNKS = 1;

/** The reason shown for a job that failed on the server's side; details are in the log only. */
export const SERVER_FAULT = 'the batch failed on the server; see its log';
/** The reason shown for a job still held when the service stopped. */
export const SERVICE_STOPPED = 'interrupted: the service stopped during the job';

/** The result file's header: one line per data row, in the order of the upload. */
export const RESULT_HEADER = 'line,score,decision,label,receiptId\n';

/** Called after each stored chunk (see BatchScoringRunner.addChunkHook). */
export type ChunkHook = (progress: {
  jobId: string;
  rowsScored: number;
  positives: number;
}) => Promise<void>;

/** Where a job's files lie under the artifact directory. */
export type JobFiles = { input: string; result: string };

/** What the runner is handed for a job accepted by POST …/batch-scoring. */
export type AcceptedJob = {
  job: BatchScoringJob;
  /** What serves the whole job: resolved once, when it was accepted. */
  model: ServedModel;
  plan: ColumnPlan;
  files: JobFiles;
};

/** The directory under ARTIFACT_DIR holding batch uploads (while their job runs) and results. */
export const BATCH_DIR = 'batch-scoring';

/** A job's input and result files in `dir`. */
export function jobFiles(dir: string, id: string): JobFiles {
  return { input: join(dir, `${id}.input.csv`), result: join(dir, `${id}.result.csv`) };
}

/**
 * Carries out batch scoring jobs after POST …/batch-scoring has answered 202 (README, "Batch
 * scoring"), one job at a time per process so batch work does not crowd out real-time requests
 * on the serving workers: the upload is read back in chunks of CHUNK_ROWS rows; each chunk is
 * validated, scored by the serving workers, its receipts written (ReceiptSink) and only then its
 * result lines appended, so every receipt id in a result file is stored; progress and a heartbeat
 * go to the job's row. The upload (it may hold personal information) is removed when the job
 * ends, whatever the outcome; a failed job's partial result is removed too.
 */
@Injectable()
export class BatchScoringRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(BatchScoringRunner.name);
  private readonly held = new Map<string, AcceptedJob>();
  private readonly chunkHooks: ChunkHook[] = [];
  private queue: Promise<void> = Promise.resolve();
  private heartbeat: NodeJS.Timeout | null = null;
  private closing = false;
  /** Where the last job that succeeded spent its time (benchmarks print it). */
  lastTimings: { jobId: string; seconds: number; phases: Timings } | null = null;
  readonly dir: string;

  constructor(
    private readonly store: BatchScoringJobStore,
    private readonly scorer: ServingScorer,
    private readonly sink: ReceiptSink,
    storage: ArtifactStorage,
    @Inject(SERVER_PEPPER) private readonly pepper: SubjectPepper,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.dir = join(storage.store.dir, BATCH_DIR);
  }

  /** Uploads and partial results left behind by jobs that ended with a process that died. */
  async onApplicationBootstrap(): Promise<void> {
    await this.sweep().catch((error: unknown) =>
      this.logger.error(`batch scoring sweep: ${describe(error)}`),
    );
  }

  /** Queues the job; the returned promise (for tests and benches) settles when it has ended. */
  enqueue(accepted: AcceptedJob): Promise<void> {
    this.held.set(accepted.job.id, accepted);
    this.startHeartbeat();
    const work = this.queue.then(() => this.run(accepted));
    this.queue = work.catch(() => undefined);
    return work
      .catch((error: unknown) => {
        // Never rejects: anything that escapes is a fault of the bookkeeping itself.
        this.logger.error(`batch scoring job ${accepted.job.id}: ${describe(error)}`);
      })
      .finally(() => {
        this.held.delete(accepted.job.id);
        if (this.held.size === 0) this.stopHeartbeat();
      });
  }

  /**
   * Adds a hook awaited after each chunk's receipts, result lines and progress are stored, before
   * the next chunk is stored: where tests look at a job in the middle of its work. Returns
   * what removes it.
   */
  addChunkHook(hook: ChunkHook): () => void {
    this.chunkHooks.push(hook);
    return () => {
      const at = this.chunkHooks.indexOf(hook);
      if (at >= 0) this.chunkHooks.splice(at, 1);
    };
  }

  /** Settles when every job queued so far has ended (tests wait for it). */
  idle(): Promise<void> {
    return this.queue;
  }

  /**
   * The running job stops at its next chunk, once the chunks before it are stored; it and every
   * queued job are marked failed, `interrupted: the service stopped…`, and their uploads removed.
   * Before the serving workers and the database close: this module's destroy hook runs before
   * those of the modules it imports.
   */
  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    await this.queue;
    this.stopHeartbeat();
  }

  /** A job the shutdown reached: failed, its upload and partial result removed. */
  private async stopped({ job, files }: AcceptedJob, counts?: Counts): Promise<void> {
    await rm(files.input, { force: true }).catch(() => undefined);
    await rm(files.result, { force: true }).catch(() => undefined);
    await this.store
      .failed(job.id, SERVICE_STOPPED, null, this.clock(), counts)
      .catch(() => undefined);
  }

  private async run(accepted: AcceptedJob): Promise<void> {
    const { job, model, plan, files } = accepted;
    if (this.closing) return this.stopped(accepted);
    const started = performance.now();
    const counts: Counts = { rowsScored: 0, positives: 0, recordedAt: -Infinity };
    const timings = newTimings();
    let result: FileHandle | undefined;
    // Chunks being stored (receipts, then result lines, then progress) while the next ones are
    // read and scored: up to STORING_CHUNKS at once, their receipts written concurrently (the
    // sink groups them), their result lines appended in order. `last` settles after the newest
    // chunk's lines, and so after every earlier chunk's.
    const storing: Promise<void>[] = [];
    let last: Promise<void> = Promise.resolve();
    const drain = async (keep: number) => {
      const waited = performance.now();
      while (storing.length > keep) await storing.shift();
      timings.waitMs += performance.now() - waited;
    };
    try {
      await this.store.started(job.id, this.clock());
      result = await open(files.result, 'w', 0o640);
      const output = result;
      await output.write(RESULT_HEADER);
      await readRowChunks(files.input, plan, CHUNK_ROWS, async (rows) => {
        if (this.closing) throw new Stopped();
        const scored = await this.scoreChunk(job, model, rows, timings);
        await drain(STORING_CHUNKS - 1);
        const stored = this.storeReceipts(scored, timings);
        const before = last;
        last = Promise.all([stored, before]).then(() =>
          this.appendChunk(job, scored, output, counts, timings),
        );
        // Awaited by drain or after the last chunk; not left unhandled meanwhile.
        last.catch(() => undefined);
        storing.push(last);
      });
      await drain(0);
      await output.sync();
      await output.close();
    } catch (error) {
      // Receipts of chunks before the fault are stored in full before the job is marked failed.
      await Promise.allSettled(storing);
      await result?.close().catch(() => undefined);
      await rm(files.result, { force: true });
      await rm(files.input, { force: true });
      if (this.closing || error instanceof Stopped) return this.stopped(accepted, counts);
      if (error instanceof CsvFault) {
        await this.store.failed(job.id, error.message, error.column, this.clock(), counts);
        this.logger.log(
          `batch scoring job ${job.id} failed at line ${error.line ?? '?'}${error.column ? ` (${error.column})` : ''} after ${counts.rowsScored} rows`,
        );
        return;
      }
      this.logger.error(`batch scoring job ${job.id} failed on the server: ${describe(error)}`);
      await this.store.failed(job.id, SERVER_FAULT, null, this.clock(), counts);
      return;
    }
    await rm(files.input, { force: true });
    await this.store.succeeded(job.id, counts, this.clock());
    const seconds = (performance.now() - started) / 1000;
    this.lastTimings = { jobId: job.id, seconds, phases: timings };
    this.logger.log(
      `batch scoring job ${job.id} succeeded: ${model.model}@${model.version} (${model.arm}), ${counts.rowsScored} rows in ${seconds.toFixed(1)} s (${Math.round(counts.rowsScored / Math.max(seconds, 0.001))} rows/s; ${describeTimings(timings, seconds)})`,
    );
  }

  /**
   * Validates, scores and builds the receipts of one chunk. The receipts' latency is the chunk's
   * scoring time shared among its rows.
   */
  private async scoreChunk(
    job: BatchScoringJob,
    model: ServedModel,
    rows: BatchRow[],
    timings: Timings,
  ): Promise<ScoredChunk> {
    let mark = performance.now();
    const lap = (phase: keyof Timings) => {
      const now = performance.now();
      timings[phase] += now - mark;
      mark = now;
    };
    const values = rows.map((row) => row.values);
    for (let at = 0; at < values.length; at += MAX_ROWS) {
      checkRows(model, rows, at);
    }
    lap('validateMs');
    const scores = await this.scorer.score(model, values);
    const latencyMs = (performance.now() - mark) / rows.length;
    lap('scoreMs');
    const scoredAt = this.clock().toISOString();
    const receipts: ReceiptToWrite[] = new Array<ReceiptToWrite>(rows.length);
    for (let i = 0; i < rows.length; i++) {
      // Real-time requests are answered between slices.
      if (i > 0 && i % RECEIPTS_PER_TURN === 0) await yieldToLoop();
      receipts[i] = buildReceipt({
        model,
        row: values[i],
        score: scores[i],
        requestId: job.requestId,
        subjectRef: rows[i].subject,
        latencyMs,
        pepper: this.pepper.secret,
        onnxruntimeVersion: ONNXRUNTIME_VERSION,
        scoredAt,
      });
    }
    lap('receiptsMs');
    return { lines: rows.map((row) => row.line), receipts };
  }

  /** Stores a scored chunk's receipts (ReceiptSink.write). */
  private async storeReceipts({ receipts }: ScoredChunk, timings: Timings): Promise<void> {
    const started = performance.now();
    await this.sink.write(receipts);
    timings.storeMs += performance.now() - started;
  }

  /**
   * Appends a chunk's result lines once its receipts are stored (so every receipt id in a result
   * file is stored) and the chunks before it are appended, then records the progress and calls
   * the chunk hooks.
   */
  private async appendChunk(
    job: BatchScoringJob,
    { lines, receipts }: ScoredChunk,
    result: FileHandle,
    counts: Counts,
    timings: Timings,
  ): Promise<void> {
    const started = performance.now();
    let text = '';
    for (let i = 0; i < receipts.length; i++) {
      const { receipt } = receipts[i];
      if (receipt.decision === 'positive') counts.positives++;
      text += `${lines[i]},${receipt.outputs.score},${receipt.decision},${csvField(receipt.label)},${receipt.receiptId}\n`;
    }
    await result.write(text);
    counts.rowsScored += receipts.length;
    if (performance.now() - counts.recordedAt >= PROGRESS_EVERY_MS) {
      await this.store.progress(job.id, counts, this.clock());
      counts.recordedAt = performance.now();
    }
    timings.resultMs += performance.now() - started;
    const { rowsScored, positives } = counts;
    for (const hook of this.chunkHooks) await hook({ jobId: job.id, rowsScored, positives });
  }

  private startHeartbeat(): void {
    if (this.heartbeat) return;
    this.heartbeat = setInterval(() => {
      void this.store.heartbeat([...this.held.keys()]).catch(() => undefined);
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stopHeartbeat(): void {
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = null;
  }

  /**
   * Removes uploads of jobs that are over (a process died holding them, and they now show
   * interrupted) and partial results of failed ones; files with no job row (the process died
   * between the upload and the job's record) once they are older than the heartbeat timeout.
   * A job another replica still runs is not over, so its files stay.
   */
  private async sweep(): Promise<void> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    const ids = new Map<string, string[]>();
    for (const name of names) {
      const match = /^([0-9a-f-]{36})\.(input|result)\.csv$/.exec(name);
      if (match) ids.set(match[1], [...(ids.get(match[1]) ?? []), name]);
    }
    if (ids.size === 0) return;
    const over = new Set(await this.store.finishedAmong([...ids.keys()]));
    for (const [id, files] of ids) {
      for (const name of files) {
        const path = join(this.dir, name);
        if (name.endsWith('.input.csv')) {
          if (over.has(id) || (await this.orphaned(id, path))) await rm(path, { force: true });
        } else if (over.has(id)) {
          const job = await this.store.find(id);
          if (job?.status === 'failed') await rm(path, { force: true });
        }
      }
    }
  }

  private async orphaned(id: string, path: string): Promise<boolean> {
    if (await this.store.find(id)) return false;
    const info = await stat(path).catch(() => null);
    return info !== null && Date.now() - info.mtimeMs > HEARTBEAT_TIMEOUT_SECONDS * 1000;
  }
}

/** Where a job's time went, per phase, in ms (the log line of a job that succeeded). */
export type Timings = {
  validateMs: number;
  scoreMs: number;
  receiptsMs: number;
  /** Storing receipts (ReceiptSink.write): overlaps the next chunk's reading and scoring. */
  storeMs: number;
  /** Result lines and progress, after the receipts: overlaps as storeMs does. */
  resultMs: number;
  /** Waiting for the previous chunk's storing before storing the next: what overlap did not hide. */
  waitMs: number;
};

const newTimings = (): Timings => ({
  validateMs: 0,
  scoreMs: 0,
  receiptsMs: 0,
  storeMs: 0,
  resultMs: 0,
  waitMs: 0,
});

/** The phases in ms (store and result overlap the others; wait is what they added). */
export function describeTimings(timings: Timings, seconds: number): string {
  const parts = Object.entries(timings).map(
    ([phase, ms]) => `${phase.replace(/Ms$/, '')} ${Math.round(ms)} ms`,
  );
  const inLine = timings.validateMs + timings.scoreMs + timings.receiptsMs + timings.waitMs;
  return `${parts.join(', ')}; reading the CSV and the rest ${Math.round(seconds * 1000 - inLine)} ms`;
}

/** A job's rows scored and decided positive so far, and when they were last recorded. */
type Counts = { rowsScored: number; positives: number; recordedAt: number };

/** A chunk scored and receipted, waiting to be stored: its rows' lines, in order. */
type ScoredChunk = { lines: number[]; receipts: ReceiptToWrite[] };

/** The shutdown reached a job between chunks. */
class Stopped extends Error {}

/**
 * validateRows over up to MAX_ROWS rows from `at`: a guard behind toRow's conversion, so batch
 * rows meet exactly what the predict endpoint checks. Its `rows.<i>.<feature>` is turned into
 * the row's line and the column; its message is not passed on.
 */
function checkRows(model: ServedModel, rows: BatchRow[], at: number): void {
  const slice = rows.slice(at, at + MAX_ROWS);
  try {
    validateRows(
      model,
      slice.map((row) => row.values),
    );
  } catch (error) {
    if (!(error instanceof InvalidRequest)) throw error;
    const [key] = Object.keys(error.fields);
    const match = /^rows\.(\d+)(?:\.(.+))?$/.exec(key ?? '');
    const row = match ? slice[Number(match[1])] : undefined;
    const column = match?.[2] ?? null;
    const line = row?.line ?? null;
    throw new CsvFault(
      `line ${line ?? '?'}${column ? `, column ${column}` : ''}: the value does not fit the model's feature`,
      column,
      line,
    );
  }
}

/** A CSV field, quoted when it must be. */
function csvField(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** An error for the log: its type and message, never a stack of values. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
