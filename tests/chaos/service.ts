/**
 * The service under test as its own process (`node dist/src/main.js`), killed with SIGKILL and
 * started again on the same store; and the plain HTTP client the chaos writers and checks use.
 */
import { ChildProcess, spawn } from 'node:child_process';
import { Agent, request } from 'node:http';
import { AddressInfo, createServer } from 'node:net';

export interface HttpAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: unknown;
}

export class HttpClient {
  private readonly agent: Agent;

  constructor(
    readonly port: number,
    sockets: number,
  ) {
    this.agent = new Agent({ keepAlive: true, maxSockets: sockets });
  }

  /** One request; rejects on a connection error or after `timeoutMs` without an answer. */
  call(
    method: string,
    path: string,
    options: {
      token?: string;
      body?: unknown;
      headers?: Record<string, string>;
      timeoutMs?: number;
    },
  ): Promise<HttpAnswer> {
    // A Buffer is sent as it is (an uploaded file), anything else as JSON.
    const binary = Buffer.isBuffer(options.body);
    const payload =
      options.body === undefined
        ? undefined
        : binary
          ? (options.body as Buffer)
          : JSON.stringify(options.body);
    return new Promise((resolve, reject) => {
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          method,
          path,
          agent: this.agent,
          headers: {
            ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
            ...(payload
              ? {
                  'content-type': binary ? 'application/octet-stream' : 'application/json',
                  'content-length': String(Buffer.byteLength(payload)),
                }
              : {}),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('error', reject);
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown = text;
            try {
              body = text ? JSON.parse(text) : undefined;
            } catch {
              // not JSON: keep the text
            }
            resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
          });
        },
      );
      req.setTimeout(options.timeoutMs ?? 30_000, () =>
        req.destroy(new Error(`no answer within ${options.timeoutMs ?? 30_000} ms`)),
      );
      req.on('error', reject);
      req.end(payload);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The service process, restarted on the same store and port after every kill. */
export class ServiceProcess {
  private child: ChildProcess | undefined;
  private stderr = '';
  /** Milliseconds from spawn to the first 200 from /health/ready, one per start. */
  readonly readyTimesMs: number[] = [];
  starts = 0;

  constructor(
    private readonly env: Record<string, string>,
    readonly http: HttpClient,
  ) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Spawns the service and waits for readiness; throws with its stderr if it exits or stalls. */
  async start(timeoutMs = 120_000): Promise<number> {
    const ms = await this.startUnlessKilled(timeoutMs);
    if (ms === undefined) throw new Error('unreachable: no kill was asked for');
    return ms;
  }

  /**
   * Spawns the service; with `killAfterMs`, kills it with SIGKILL at that moment if it is not
   * ready yet (answers undefined then), as a crash during start-up would.
   */
  async startUnlessKilled(timeoutMs = 120_000, killAfterMs?: number): Promise<number | undefined> {
    const began = Date.now();
    this.stderr = '';
    const child = spawn(process.execPath, ['dist/src/main.js'], {
      env: {
        ...process.env,
        ...this.env,
        PORT: String(this.http.port),
        HOST: '127.0.0.1',
        LOG_LEVEL: 'warn',
        // Concurrent writers from one address: the per-caller limit would refuse them.
        RATE_LIMIT_PER_MINUTE: '0',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    this.child = child;
    this.starts++;
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString('utf8')).slice(-8000);
    });
    while (Date.now() - began < timeoutMs) {
      if (killAfterMs !== undefined && Date.now() - began >= killAfterMs) {
        await this.kill9();
        return undefined;
      }
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `the service exited (${child.exitCode ?? child.signalCode}) before it was ready (start ${this.starts}):\n${this.stderr.trim()}`,
        );
      }
      const ready = await this.http
        .call('GET', '/api/v1/health/ready', { timeoutMs: 2000 })
        .catch(() => undefined);
      if (ready?.status === 200) {
        const ms = Date.now() - began;
        this.readyTimesMs.push(ms);
        return ms;
      }
      await sleep(50);
    }
    throw new Error(
      `the service was not ready within ${timeoutMs} ms (start ${this.starts}):\n${this.stderr.trim()}`,
    );
  }

  /** SIGKILL: no shutdown hooks, no lock released, requests cut mid-flight. */
  async kill9(): Promise<void> {
    await this.signal('SIGKILL');
  }

  /** SIGTERM: the ordinary shutdown. */
  async stop(): Promise<void> {
    await this.signal('SIGTERM');
  }

  /** What the service wrote to stderr since its last start (LOG_LEVEL=warn: warnings and errors). */
  get recentStderr(): string {
    return this.stderr;
  }

  private async signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
  }
}
