import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { IntegrityTree } from '../../integrity/integrity-tree';
import { TreeCheck } from '../../integrity/tree-check';
import { EVENT_LOG, EventLog } from '../../ledger/event-log.port';
import { verifyLedger } from '../../ledger/ledger-verifier';
import { type LedgerVerification, VerifyLedgerQuery } from './verify-ledger.query';

@QueryHandler(VerifyLedgerQuery)
export class VerifyLedgerQueryHandler implements IQueryHandler<
  VerifyLedgerQuery,
  LedgerVerification
> {
  constructor(
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly dataSource: DataSource,
  ) {}

  /** The chains, and the integrity tree against the same events in one pass. */
  async execute(): Promise<LedgerVerification> {
    const tree = await TreeCheck.of(this.dataSource, new IntegrityTree(this.dataSource));
    return verifyLedger(this.eventLog, undefined, tree);
  }
}
