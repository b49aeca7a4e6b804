/**
 * What the HTTP benchmarks share (README, "Benchmark"): the built service started as its own
 * process, as in production, a keep-alive client for it, closed-loop concurrent drivers and
 * percentiles.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { join } from 'node:path';

export type Run = { perSecond: number; latenciesMs: number[] };
export type Reply = { status: number; body: unknown };

/** A keep-alive client of the service on `port`, at most `sockets` connections. */
export class ServiceClient {
  private readonly agent: Agent;

  constructor(
    readonly port: number,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** One request; a JSON body unless a Buffer is given; the answer parsed when it is JSON. */
  call(
    method: string,
    path: string,
    token: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<Reply> {
    const payload =
      body === undefined ? undefined : Buffer.isBuffer(body) ? body : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            ...(token ? { authorization: `Bearer ${token}` } : {}),
            ...(payload
              ? { 'content-type': contentType, 'content-length': Buffer.byteLength(payload) }
              : {}),
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: unknown = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // Not JSON: kept as text.
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  /** The answer's body, or an error naming the request when the status is not `status`. */
  async expect(
    method: string,
    path: string,
    token: string,
    body: unknown,
    status: number,
    contentType?: string,
  ): Promise<Record<string, unknown>> {
    const response = await this.call(method, path, token, body, contentType);
    if (response.status !== status) {
      throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
    }
    return response.body as Record<string, unknown>;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** `total` operations from `clients` concurrent loops (closed loop); throughput and every latency. */
export async function drive(
  clients: number,
  total: number,
  operation: (index: number) => Promise<void>,
): Promise<Run> {
  const latenciesMs: number[] = [];
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: clients }, async () => {
      for (let index = next++; index < total; index = next++) {
        const begin = process.hrtime.bigint();
        await operation(index);
        latenciesMs.push(Number(process.hrtime.bigint() - begin) / 1e6);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: total / seconds, latenciesMs };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

export { freePort } from '../chaos/service';

/**
 * `node dist/src/main.js` on `port` with `env`, without per-caller rate limits (throughput is
 * measured, not the limits); resolves once it answers its liveness probe.
 * BENCH_SERVICE_NODE_ARGS=--cpu-prof profiles it; BENCH_SERVICE_LOG=1 shows its log;
 * BENCH_SERVICE_PROBE=1 prints its main thread's load, event-loop delay and GC every busy second
 * (service-probe.ts).
 */
export async function startService(
  env: Record<string, string>,
  port: number,
): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    [
      ...(process.env.BENCH_SERVICE_NODE_ARGS ?? '').split(' ').filter(Boolean),
      ...(process.env.BENCH_SERVICE_PROBE
        ? ['--require', join(__dirname, 'service-probe.js')]
        : []),
      'dist/src/main.js',
    ],
    {
      env: {
        ...process.env,
        ...env,
        PORT: String(port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        RATE_LIMIT_PER_MINUTE: '0',
        RATE_LIMIT_SCORING_PER_MINUTE: '0',
      },
      stdio: ['ignore', process.env.BENCH_SERVICE_LOG ? 'inherit' : 'ignore', 'inherit'],
    },
  );
  const probe = new ServiceClient(port, 1);
  try {
    for (let attempt = 0; attempt < 600; attempt++) {
      if (child.exitCode !== null) throw new Error(`the service exited with ${child.exitCode}`);
      const ready = await probe.call('GET', '/api/v1/health/live', '').catch(() => undefined);
      if (ready?.status === 200) return child;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  } finally {
    probe.close();
  }
  throw new Error('the service did not start within 60 s');
}

/** Stops the service and waits for it to exit. */
export async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((resolve) => child.once('exit', resolve));
}
