import { Client } from 'pg';

/**
 * The client class of every connection pool (TypeORM's and the ledger's): a pg client that always
 * has an 'error' listener.
 *
 * pg-pool stops listening to a client when it hands it out, and the borrower (TypeORM's query
 * runner, the ledger's append) starts listening a promise callback later. A server that ends the
 * session in between (an outage, pg_terminate_backend) can send its FATAL in the same socket read
 * as the message that completed the hand-out; pg then emits 'error' on a client with no listener,
 * and Node ends the process. Here that error is heard and dropped: the borrower still meets it as
 * its next query's failure, and the pool removes the broken client when it comes back.
 * (README: when the database cannot be reached, requests get 503 and the service recovers without
 * a restart.)
 */
export class PooledClient extends Client {
  constructor(...args: ConstructorParameters<typeof Client>) {
    super(...args);
    this.on('error', () => undefined);
  }
}
