import { AsyncLocalStorage } from 'node:async_hooks';
import { Module, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance } from 'fastify';
import { Client, Pool } from 'pg';

/**
 * Counts the SQL statements the service sends while it answers one request (tests only): proof
 * that a console page makes a fixed number of queries, not one per row (README, "Console").
 *
 * A request carrying the header QUERY_PROBE_HEADER runs inside an AsyncLocalStorage store (an
 * onRequest hook of QueryCounterModule, passed to startTestApp's `imports`), and every statement any
 * `pg` client or pool sends in that asynchronous context is noted in the store: TypeORM's
 * repositories and query builders, the event log's pool, any Client of its own. Statements of
 * background work (projections, timers) run in no such store and are not counted.
 */
export const QUERY_PROBE_HEADER = 'x-test-query-probe';

interface Probe {
  statements: string[];
}

const storage = new AsyncLocalStorage<Probe>();
const probes = new Map<string, Probe>();

function textOf(query: unknown): string {
  if (typeof query === 'string') return query;
  if (query && typeof query === 'object' && 'text' in query) return String(query.text);
  return String(query);
}

type QueryFn = (this: unknown, ...args: unknown[]) => unknown;

let installed = false;

/**
 * Wraps pg's Client and Pool query once per module registry. pg-pool's own `query` takes a client
 * in a callback, which may run in whatever context released the client: so a pool query is
 * counted where it is asked for, and the client query it makes inside pg-pool is not counted again.
 */
function install(): void {
  if (installed) return;
  installed = true;
  const clientQuery = Client.prototype.query as unknown as QueryFn;
  (Client.prototype as unknown as { query: QueryFn }).query = function (...args: unknown[]) {
    const probe = storage.getStore();
    if (probe && !fromPgPool()) probe.statements.push(textOf(args[0]));
    return clientQuery.apply(this, args);
  };
  const poolQuery = Pool.prototype.query as unknown as QueryFn;
  (Pool.prototype as unknown as { query: QueryFn }).query = function (...args: unknown[]) {
    storage.getStore()?.statements.push(textOf(args[0]));
    return poolQuery.apply(this, args);
  };
}

/** Whether this client query is the one pg-pool's `query` makes (counted there already). */
function fromPgPool(): boolean {
  const stack = new Error().stack ?? '';
  return /[/\\]pg-pool[/\\]index\.js/.test(stack);
}

/** Mounts the counting hook on every request; import it into the test app. */
@Module({})
export class QueryCounterModule implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {
    install();
  }

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onRequest', (request, _reply, done) => {
      const id = request.headers[QUERY_PROBE_HEADER];
      if (typeof id !== 'string' || id === '') return done();
      const probe: Probe = { statements: [] };
      probes.set(id, probe);
      // Fastify runs the rest of the request (guards, handler, onSend hooks) from this call on.
      storage.run(probe, done);
    });
  }
}

let nextProbe = 0;

/** A new probe id to send in QUERY_PROBE_HEADER. */
export function newProbeId(): string {
  return `probe-${process.pid}-${++nextProbe}`;
}

/** The statements sent while answering the request that carried `id` (undefined: not seen). */
export function statementsOf(id: string): string[] | undefined {
  const probe = probes.get(id);
  probes.delete(id);
  return probe ? [...probe.statements] : undefined;
}
