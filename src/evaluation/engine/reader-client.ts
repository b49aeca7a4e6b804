import { join } from 'node:path';
import type { Worker } from 'node:worker_threads';
import type { ColumnStore } from './columns';
import type { RowReader } from './evaluate-in-process';
import { EvaluationFailed } from './evaluation-failed';
import type { InputDistribution } from './measures';
import type { ReaderReply, ReaderRequest } from './reader-protocol';
import { startWorker } from './start-worker';

/**
 * A scoring worker's side of its dataset reader thread (reader-thread.ts), started on first use
 * and kept for the next job: `read` fills the store batch by batch as the thread parses, and
 * scores each batch (onRows) while the thread parses on.
 */
export class ReaderClient {
  private worker: Worker | null = null;
  private nextId = 1;
  private readonly handlers = new Map<number, (reply: ReaderReply) => void>();

  readonly read: RowReader = (path, store, onRows, distribution) => {
    const worker = this.start();
    const id = this.nextId++;
    return new Promise<InputDistribution>((resolve, reject) => {
      let chain = Promise.resolve();
      let done = false;
      let measured: InputDistribution | null = null;
      const finish = (error?: unknown) => {
        if (done) return;
        done = true;
        this.handlers.delete(id);
        if (error === undefined) return resolve(measured!);
        const stop: ReaderRequest = { type: 'stop', id };
        this.worker?.postMessage(stop);
        reject(error instanceof Error ? error : new Error(String(error)));
      };
      this.handlers.set(id, (reply) => {
        chain = chain
          .then(async () => {
            if (done) return;
            switch (reply.type) {
              case 'rows':
                (store as ColumnStore).append(reply.batch);
                return onRows();
              case 'end':
                measured = reply.distribution;
                return finish();
              case 'failed':
                return finish(new EvaluationFailed(reply.message, reply.field));
              case 'error':
                return finish(new Error(`the dataset reader failed: ${reply.message}`));
            }
          })
          .catch(finish);
      });
      const request: ReaderRequest = {
        type: 'read',
        id,
        path,
        spec: store.spec(),
        distribution,
      };
      worker.postMessage(request);
    });
  };

  async close(): Promise<void> {
    await this.worker?.terminate();
  }

  private start(): Worker {
    if (this.worker) return this.worker;
    const worker = startWorker(join(__dirname, 'reader-thread'), null);
    worker.on('message', (reply: ReaderReply) => this.handlers.get(reply.id)?.(reply));
    worker.on('exit', (code) => {
      this.worker = null;
      for (const [id, handler] of this.handlers) {
        handler({ type: 'error', id, message: `the reader thread stopped (exit code ${code})` });
      }
    });
    worker.on('error', () => {
      // Followed by 'exit', which fails the read.
    });
    // The scoring worker's own lifetime is the engine's business.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
