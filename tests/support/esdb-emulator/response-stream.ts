import type { ServerWritableStream } from '@grpc/grpc-js';
import type { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import type { RpcFailure } from './errors';

/**
 * The server side of one Streams.Read call: writes with backpressure and notices when the client
 * cancels (or the connection drops) so long-running reads and subscriptions can stop.
 */
export class ResponseStream {
  private isClosed = false;
  private readonly closeListeners = new Set<() => void>();

  constructor(private readonly call: ServerWritableStream<ReadReq, ReadResp>) {
    call.on('cancelled', () => this.markClosed());
    call.on('close', () => this.markClosed());
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Resolves once the message is buffered below the high-water mark (or the call is gone). */
  async write(response: ReadResp): Promise<void> {
    if (this.isClosed || this.call.write(response)) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        this.call.off('drain', done);
        this.closeListeners.delete(done);
        resolve();
      };
      this.call.once('drain', done);
      this.closeListeners.add(done);
    });
  }

  /** Finishes the call with status OK. */
  end(): void {
    if (this.isClosed) return;
    this.call.end();
    this.markClosed();
  }

  /** Finishes the call with an error status (and trailers). */
  fail(error: RpcFailure): void {
    if (this.isClosed) return;
    // grpc-js turns an 'error' emitted on a server stream into the call's final status.
    this.call.emit('error', error);
    this.markClosed();
  }

  onClose(listener: () => void): () => void {
    if (this.isClosed) {
      listener();
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  private markClosed(): void {
    if (this.isClosed) return;
    this.isClosed = true;
    for (const listener of [...this.closeListeners]) listener();
    this.closeListeners.clear();
  }
}
