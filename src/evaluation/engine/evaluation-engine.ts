import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { EvaluationJob, EvaluationMeasures, EvaluationProgress } from '../service-evaluation';
import type { EvaluateOptions } from './evaluate-in-process';
import { EvaluationFailed } from './evaluation-failed';
import { startWorker } from './start-worker';
import type { WorkerReply, WorkerRequest } from './worker-protocol';

export const EVALUATION_ENGINE_OPTIONS = Symbol('EvaluationEngineOptions');

export type EvaluationEngineOptions = EvaluateOptions & {
  /** Worker threads scoring at once (EVALUATION_WORKERS); further jobs wait in a queue. */
  workers: number;
};

/**
 * onnxruntime threads per worker's `session.run`: the cores but one (the HTTP thread's) shared
 * among the workers, at least one. More would oversubscribe the cores, and onnxruntime's spinning
 * threads then slow every run, the HTTP thread's turn included.
 */
export const defaultIntraOpThreads = (cores: number, workers: number): number =>
  Math.max(1, Math.floor((cores - 1) / Math.max(1, workers)));

type Pending = {
  id: number;
  job: EvaluationJob;
  onProgress?: (progress: EvaluationProgress) => void;
  resolve: (measures: EvaluationMeasures) => void;
  reject: (error: Error) => void;
};

type Slot = { worker: Worker; running: Pending | null };

/**
 * Runs evaluation jobs (README, "Evaluation runs") in a small pool of worker threads, since
 * onnxruntime's `session.run` holds its thread for the length of a batch: the HTTP thread only
 * posts the job and receives progress and the measures. Jobs beyond the pool wait in a queue,
 * first come first served. A worker that dies fails its job with a plain Error (a server fault,
 * logged) and is replaced for the next job.
 */
@Injectable()
export class EvaluationEngine implements OnApplicationShutdown {
  private readonly logger = new Logger(EvaluationEngine.name);
  private readonly slots = new Set<Slot>();
  private readonly queue: Pending[] = [];
  private nextId = 1;
  private closed = false;

  constructor(
    @Inject(EVALUATION_ENGINE_OPTIONS) private readonly options: EvaluationEngineOptions,
  ) {}

  /**
   * The job's measures, computed in a worker thread. Rejects with EvaluationFailed when this
   * model and dataset cannot be evaluated (a user's fault), with a plain Error otherwise.
   */
  evaluate(
    job: EvaluationJob,
    onProgress?: (progress: EvaluationProgress) => void,
  ): Promise<EvaluationMeasures> {
    if (this.closed) return Promise.reject(new Error('the evaluation engine has shut down'));
    return new Promise<EvaluationMeasures>((resolve, reject) => {
      this.queue.push({ id: this.nextId++, job, onProgress, resolve, reject });
      this.dispatch();
    });
  }

  /** Jobs waiting for a worker. */
  get queued(): number {
    return this.queue.length;
  }

  async onApplicationShutdown(): Promise<void> {
    this.closed = true;
    for (const pending of this.queue.splice(0)) {
      pending.reject(new Error('the evaluation engine shut down before the job started'));
    }
    await Promise.all([...this.slots].map((slot) => slot.worker.terminate()));
  }

  private dispatch(): void {
    while (this.queue.length > 0) {
      let slot = [...this.slots].find((candidate) => candidate.running === null);
      if (!slot) {
        if (this.slots.size >= Math.max(1, this.options.workers)) return;
        slot = this.spawn();
      }
      const pending = this.queue.shift()!;
      slot.running = pending;
      slot.worker.ref();
      const request: WorkerRequest = { id: pending.id, job: pending.job };
      slot.worker.postMessage(request);
    }
  }

  private spawn(): Slot {
    const { workers: _workers, ...evaluateOptions } = this.options;
    const worker = startWorker(join(__dirname, 'evaluation-worker'), evaluateOptions);
    const slot: Slot = { worker, running: null };
    this.slots.add(slot);
    worker.on('message', (reply: WorkerReply) => this.receive(slot, reply));
    worker.on('error', (error) => {
      // The worker is ending ('exit' follows): no job may be handed to it meanwhile.
      this.slots.delete(slot);
      this.logger.error(`An evaluation worker failed: ${error.stack ?? error.message}`);
      this.settle(slot, (pending) =>
        pending.reject(new Error(`the evaluation worker failed: ${error.message}`)),
      );
    });
    worker.on('exit', (code) => {
      this.slots.delete(slot);
      if (slot.running && !this.closed) {
        this.logger.error(`An evaluation worker stopped (exit code ${code}) during a job`);
      }
      this.settle(slot, (pending) =>
        pending.reject(new Error(`the evaluation worker stopped (exit code ${code})`)),
      );
      if (!this.closed) this.dispatch();
    });
    return slot;
  }

  private receive(slot: Slot, reply: WorkerReply): void {
    const pending = slot.running;
    if (!pending || pending.id !== reply.id) return;
    switch (reply.type) {
      case 'progress':
        pending.onProgress?.(reply.progress);
        return;
      case 'done':
        return this.settle(slot, (p) => p.resolve(reply.measures), true);
      case 'failed':
        return this.settle(
          slot,
          (p) => p.reject(new EvaluationFailed(reply.message, reply.field)),
          true,
        );
      case 'error':
        this.logger.error(`An evaluation failed in its worker: ${reply.message}`);
        return this.settle(
          slot,
          (p) => p.reject(new Error(`the evaluation failed: ${reply.message.split('\n')[0]}`)),
          true,
        );
    }
  }

  /** Ends the slot's job (if any); a worker that lives on takes the next queued job. */
  private settle(slot: Slot, end: (pending: Pending) => void, next = false): void {
    const pending = slot.running;
    slot.running = null;
    if (pending) end(pending);
    if (next) {
      // An idle worker does not keep the process alive.
      slot.worker.unref();
      this.dispatch();
    }
  }
}
