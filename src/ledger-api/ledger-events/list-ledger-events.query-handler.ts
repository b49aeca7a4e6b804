import { Inject } from '@nestjs/common';
import { IQueryHandler, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { EVENT_LOG, EventLog } from '../../ledger/event-log.port';
import { InvalidRequest } from '../../ledger/ledger.errors';
import { LedgerEventView, presentEvent } from './ledger-event.view';
import { ListLedgerEventsQuery } from './list-ledger-events.query';

export class LedgerEventPage {
  @ApiProperty({ type: [LedgerEventView] }) items!: LedgerEventView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `after` for the next page; null when this page was the last so far',
  })
  nextCursor!: string | null;
}

@QueryHandler(ListLedgerEventsQuery)
export class ListLedgerEventsQueryHandler implements IQueryHandler<
  ListLedgerEventsQuery,
  LedgerEventPage
> {
  constructor(@Inject(EVENT_LOG) private readonly eventLog: EventLog) {}

  async execute({ stream, after, limit }: ListLedgerEventsQuery): Promise<LedgerEventPage> {
    if (stream !== undefined) {
      if (after !== undefined && !/^\d{1,18}$/.test(after)) {
        throw new InvalidRequest('invalid after', {
          after: ['with stream, after must be a revision (a whole number)'],
        });
      }
      const events = await this.eventLog.readStream(stream, {
        fromRevision: after === undefined ? 0n : BigInt(after) + 1n,
        maxCount: limit,
      });
      const items = events.map(presentEvent);
      return {
        items,
        nextCursor: items.length === limit ? String(items[items.length - 1].revision) : null,
      };
    }
    if (after !== undefined && !this.eventLog.isPosition(after)) {
      throw new InvalidRequest('invalid after', {
        after: ['after must be a ledger position from a previous page'],
      });
    }
    const events = await this.eventLog.readAll({ from: after, maxCount: limit });
    const items = events.map(presentEvent);
    return { items, nextCursor: items.length === limit ? items[items.length - 1].position : null };
  }
}
