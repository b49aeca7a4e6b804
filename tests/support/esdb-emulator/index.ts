import { EmulatorServer, HOST } from './server';

/**
 * An in-process emulator of the EventStoreDB Streams gRPC API, for driving the real, unmodified
 * `@eventstore/db-client` in tests. store.ts describes the log semantics.
 */
export interface EsdbEmulator {
  /** `esdb://127.0.0.1:<port>?tls=false` */
  connectionString: string;
  port: number;
  /** Subscriptions ($all or stream) the server is currently serving. */
  readonly activeSubscriptions: number;
  stop(): Promise<void>;
  /** stop accepting & drop connections, keep data */
  pause(): Promise<void>;
  /** listen again on the same port */
  resume(): Promise<void>;
  /** Replaces one stored event's data with this JSON value, for tamper-detection tests. */
  tamper(eventId: string, data: unknown): Promise<void>;
}

export async function startEsdbEmulator(options: { port?: number } = {}): Promise<EsdbEmulator> {
  const server = new EmulatorServer();
  await server.listen(options.port ?? 0);
  const port = server.port;
  let stopped = false;
  return {
    connectionString: `esdb://${HOST}:${port}?tls=false`,
    port,
    get activeSubscriptions() {
      return server.activeSubscriptions;
    },
    async stop() {
      stopped = true;
      await server.close();
    },
    async pause() {
      await server.close();
    },
    async resume() {
      if (stopped) throw new Error('The EventStoreDB emulator was stopped.');
      await server.listen(port);
    },
    async tamper(eventId, data) {
      server.tamper(eventId, data);
    },
  };
}
