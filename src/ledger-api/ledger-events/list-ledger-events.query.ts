import { Query } from '@nestjs/cqrs';
import type { LedgerEventPage } from './list-ledger-events.query-handler';

export class ListLedgerEventsQuery extends Query<LedgerEventPage> {
  constructor(
    readonly stream: string | undefined,
    readonly after: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}
