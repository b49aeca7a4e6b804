import { Server, ServerCredentials } from '@grpc/grpc-js';
import { StreamsService } from '@eventstore/db-client/generated/streams_grpc_pb';
import { EventStore } from './store';
import { ActiveReads, createStreamsService } from './streams-service';

export const HOST = '127.0.0.1';
/** How long resume() keeps retrying while the OS releases the port of the previous listener. */
const REBIND_TIMEOUT_MS = 5_000;
const REBIND_RETRY_MS = 20;
const SHUTDOWN_GRACE_MS = 1_000;

/**
 * One emulated node: a gRPC server with only the Streams service (no ServerFeatures, so the client
 * falls back to the classic Append RPC) over an in-memory log that outlives pause/resume.
 */
export class EmulatorServer {
  private readonly store = new EventStore();
  private readonly reads = new ActiveReads();
  private server: Server | undefined;
  private boundPort = 0;

  get port(): number {
    return this.boundPort;
  }

  get activeSubscriptions(): number {
    return this.reads.subscriptionCount;
  }

  tamper(eventId: string, data: unknown): void {
    this.store.tamper(eventId, Buffer.from(JSON.stringify(data), 'utf8'));
  }

  async listen(port: number): Promise<void> {
    if (this.server) return;
    const server = new Server();
    server.addService(StreamsService, createStreamsService(this.store, this.reads));
    this.boundPort = await bindWithRetry(server, port);
    this.server = server;
  }

  /** Stops listening and drops every connection; the log is kept. */
  async close(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    this.reads.dropAll();
    await shutdown(server);
  }
}

/**
 * Closes the listener and the connections once their calls have finished (so the UNAVAILABLE
 * statuses reach the clients), forcing it if a call is still open after the grace period.
 */
function shutdown(server: Server): Promise<void> {
  return new Promise((resolve) => {
    const force = setTimeout(() => {
      server.forceShutdown();
      resolve();
    }, SHUTDOWN_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(force);
      resolve();
    });
  });
}

async function bindWithRetry(server: Server, port: number): Promise<number> {
  const deadline = Date.now() + REBIND_TIMEOUT_MS;
  for (;;) {
    try {
      return await bind(server, port);
    } catch (error) {
      const inUse =
        error instanceof Error && /EADDRINUSE|address already in use/i.test(error.message);
      if (!inUse || port === 0 || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, REBIND_RETRY_MS));
    }
  }
}

function bind(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.bindAsync(`${HOST}:${port}`, ServerCredentials.createInsecure(), (error, bound) =>
      error ? reject(error) : resolve(bound),
    );
  });
}
