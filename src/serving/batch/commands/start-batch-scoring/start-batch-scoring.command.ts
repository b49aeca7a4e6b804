import type { Readable } from 'node:stream';
import type { CommandContext } from '../../../../ledger/commands/command-context';

export class StartBatchScoringCommand {
  constructor(
    readonly input: {
      deploymentId: string;
      /** Routes the canary for the whole job; absent: the job's id. */
      requestId?: string;
      /** The column holding each row's subject reference (stored as its keyed hash only). */
      subjectColumn?: string;
      /**
       * The keyed digest of the request's Idempotency-Key (idempotencyKeyDigest), never the raw
       * key: the job's id is derived from it and the caller.
       */
      idempotencyKey?: string;
      content: Readable;
    },
    readonly context: CommandContext,
  ) {}
}
