/**
 * A light closed-loop HTTP/1.1 load generator for the benchmarks (README, "Benchmark"): each
 * connection is a keep-alive socket that sends one ready-made request, waits for the whole answer
 * and sends the next (no pipelining), as autocannon does. Node's own http client costs more CPU
 * per request than a lean server does, and on a two-core machine the client shares the cores
 * with the service: measured with it, a bare Fastify hello shows the client's ceiling, not the
 * server's.
 */
import { connect, type Socket } from 'node:net';
import type { Run } from './service-process';

export type LoadRun = Run & { statuses: Map<number, number> };

/** One request as bytes; with `json`, a JSON body with its Content-Type and Content-Length. */
export function rawRequest(
  method: string,
  path: string,
  headers: Record<string, string> = {},
  json?: unknown,
): Buffer {
  const body = json === undefined ? undefined : Buffer.from(JSON.stringify(json));
  const lines = [`${method} ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: keep-alive'];
  for (const [name, value] of Object.entries(headers)) lines.push(`${name}: ${value}`);
  if (body) lines.push('Content-Type: application/json', `Content-Length: ${body.length}`);
  const head = Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'latin1');
  return body ? Buffer.concat([head, body]) : head;
}

const HEADERS_END = Buffer.from('\r\n\r\n');
const CONTENT_LENGTH = /\r\ncontent-length:[ \t]*(\d+)/i;

/** One keep-alive connection answering one request at a time. */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  private waiting?: { resolve: (status: number) => void; reject: (error: Error) => void };

  private constructor(private readonly socket: Socket) {
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.received(chunk));
    socket.on('error', (error) => this.fail(error));
    socket.on('close', () => this.fail(new Error('the server closed the connection')));
  }

  static open(port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => {
        socket.off('error', reject);
        resolve(new Connection(socket));
      });
      socket.once('error', reject);
    });
  }

  /** Sends the request; resolves with the answer's status once its whole body has arrived. */
  send(request: Buffer): Promise<number> {
    return new Promise((resolve, reject) => {
      this.waiting = { resolve, reject };
      this.socket.write(request);
    });
  }

  close(): void {
    this.socket.removeAllListeners('close');
    this.socket.destroy();
  }

  private received(chunk: Buffer): void {
    this.buffered = this.buffered.length ? Buffer.concat([this.buffered, chunk]) : chunk;
    const end = this.buffered.indexOf(HEADERS_END);
    if (end < 0) return;
    const head = this.buffered.toString('latin1', 0, end);
    const length = CONTENT_LENGTH.exec(head);
    if (!length) return this.fail(new Error(`an answer without Content-Length: ${head}`));
    const total = end + HEADERS_END.length + Number(length[1]);
    if (this.buffered.length < total) return;
    if (this.buffered.length > total) return this.fail(new Error('more bytes than one answer'));
    this.buffered = Buffer.alloc(0);
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.resolve(Number(head.slice(9, 12)));
  }

  private fail(error: Error): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.reject(error);
  }
}

/**
 * `total` requests over `connections` keep-alive connections, each sending its next request as
 * soon as the previous answer is complete; throughput, every latency and the statuses seen.
 */
export async function load(
  /** One server, or several (API replicas): connections are spread over them in turn. */
  ports: number | readonly number[],
  request: Buffer | ((index: number) => Buffer),
  connections: number,
  total: number,
): Promise<LoadRun> {
  const targets = typeof ports === 'number' ? [ports] : ports;
  const sockets = await Promise.all(
    Array.from({ length: connections }, (_, i) => Connection.open(targets[i % targets.length])),
  );
  const latenciesMs: number[] = [];
  const statuses = new Map<number, number>();
  let next = 0;
  const started = process.hrtime.bigint();
  try {
    await Promise.all(
      sockets.map(async (socket) => {
        for (let index = next++; index < total; index = next++) {
          const begin = process.hrtime.bigint();
          const status = await socket.send(
            typeof request === 'function' ? request(index) : request,
          );
          latenciesMs.push(Number(process.hrtime.bigint() - begin) / 1e6);
          statuses.set(status, (statuses.get(status) ?? 0) + 1);
        }
      }),
    );
  } finally {
    for (const socket of sockets) socket.close();
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: total / seconds, latenciesMs, statuses };
}

/** Every answer had `status`, or an error naming what came instead. */
export function expectStatus(run: LoadRun, status: number, what: string): LoadRun {
  const other = [...run.statuses].filter(([seen]) => seen !== status);
  if (other.length > 0) {
    throw new Error(`${what}: expected ${status} only, saw ${JSON.stringify(other)}`);
  }
  return run;
}
