import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { startWorker } from '../evaluation/engine/start-worker';
import { DomainError } from '../ledger/ledger.errors';
import type { ServedModel } from './served-model';
import { ServingScorer } from './serving-api';
import type { ScoreReply, ScoreRequest, ServingWorkerOptions } from './serving-protocol';

/** onnxruntime could not score a request that fit the model's features (503: nothing was decided). */
export class ScoringFailed extends DomainError {
  readonly code = 'scoring-failed';
  readonly status = 503;

  constructor(model: ServedModel, reason: string) {
    super(`onnxruntime could not score ${model.model}@${model.version}: ${reason.split('\n')[0]}`);
    Object.assign(this.details, { retryAfterSeconds: 1 });
  }
}

type Pending = {
  model: ServedModel;
  resolve: (scores: Float64Array) => void;
  reject: (error: Error) => void;
};

type Thread = { worker: Worker; pending: Map<number, Pending> };

/** Sessions each worker keeps (artifacts it has scored, least recently used dropped first). */
const MAX_SESSIONS = 4;

/**
 * The worker threads that score served rows (README, "Serving"): SERVING_WORKERS of them, started
 * on the first request. A request goes to the thread with the fewest requests in flight; its rows
 * travel as typed columns. A thread that dies fails its requests and is replaced.
 */
@Injectable()
export class ServingPool extends ServingScorer implements OnModuleDestroy {
  private threads: Thread[] = [];
  private nextId = 1;
  private closed = false;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    super();
  }

  score(model: ServedModel, rows: Record<string, unknown>[]): Promise<Float64Array> {
    if (this.closed) return Promise.reject(new ScoringFailed(model, 'the application is closing'));
    const request = columnsOf(model, rows, this.nextId++);
    const thread = this.leastBusy();
    return new Promise<Float64Array>((resolve, reject) => {
      thread.pending.set(request.id, { model, resolve, reject });
      thread.worker.postMessage(
        request,
        request.numeric.map((column) => column.values.buffer as ArrayBuffer),
      );
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.closed = true;
    const threads = this.threads;
    this.threads = [];
    await Promise.all(threads.map((thread) => thread.worker.terminate()));
  }

  private leastBusy(): Thread {
    if (this.threads.length === 0) {
      for (let i = 0; i < this.config.serving.workers; i++) this.threads.push(this.start());
    }
    let best = this.threads[0];
    for (const thread of this.threads) {
      if (thread.pending.size < best.pending.size) best = thread;
    }
    return best;
  }

  private start(): Thread {
    const options: ServingWorkerOptions = { maxSessions: MAX_SESSIONS };
    const worker = startWorker(join(__dirname, 'serving-worker'), options);
    const thread: Thread = { worker, pending: new Map() };
    worker.on('message', (reply: ScoreReply) => {
      const pending = thread.pending.get(reply.id);
      if (!pending) return;
      thread.pending.delete(reply.id);
      if ('scores' in reply) pending.resolve(reply.scores);
      else pending.reject(new ScoringFailed(pending.model, reply.error));
    });
    const fail = (reason: string) => {
      for (const pending of thread.pending.values()) {
        pending.reject(new ScoringFailed(pending.model, reason));
      }
      thread.pending.clear();
      const at = this.threads.indexOf(thread);
      if (at >= 0 && !this.closed) this.threads[at] = this.start();
    };
    worker.on('error', (error) => fail(`its worker thread failed (${error.message})`));
    worker.on('exit', (code) => fail(`its worker thread exited (${code})`));
    return thread;
  }
}

/** Validated rows as one typed column per feature (see validateRows). */
export function columnsOf(
  model: ServedModel,
  rows: Record<string, unknown>[],
  id: number,
): ScoreRequest {
  const request: ScoreRequest = {
    id,
    model: model.scoring,
    rows: rows.length,
    numeric: [],
    text: [],
  };
  for (const feature of model.features) {
    if (feature.kind === 'numeric') {
      const values = new Float64Array(rows.length);
      for (let i = 0; i < rows.length; i++) values[i] = rows[i][feature.name] as number;
      request.numeric.push({ name: feature.name, values });
    } else {
      request.text.push({
        name: feature.name,
        // A bool input's JSON booleans as the text the scorer reads ("true", "false").
        values: rows.map((row) => String(row[feature.name])),
      });
    }
  }
  return request;
}
