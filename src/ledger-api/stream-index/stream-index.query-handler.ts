import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { ApiProperty } from '@nestjs/swagger';
import { MoreThan, Repository } from 'typeorm';
import { StreamNotFound } from '../../ledger/ledger.errors';
import { StreamIndexEntry } from '../../ledger/stream-index/stream-index.read-model';

export class StreamIndexPage {
  @ApiProperty({ type: [StreamIndexEntry] }) items!: StreamIndexEntry[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export class ListStreamsQuery extends Query<StreamIndexPage> {
  constructor(
    readonly after: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

export class GetStreamQuery extends Query<StreamIndexEntry> {
  constructor(readonly stream: string) {
    super();
  }
}

@QueryHandler(ListStreamsQuery)
export class ListStreamsQueryHandler implements IQueryHandler<ListStreamsQuery, StreamIndexPage> {
  constructor(
    @InjectRepository(StreamIndexEntry) private readonly streams: Repository<StreamIndexEntry>,
  ) {}

  async execute({ after, limit }: ListStreamsQuery): Promise<StreamIndexPage> {
    const items = await this.streams.find({
      where: after === undefined ? {} : { stream: MoreThan(after) },
      order: { stream: 'ASC' },
      take: limit,
    });
    return { items, nextCursor: items.length === limit ? items[items.length - 1].stream : null };
  }
}

@QueryHandler(GetStreamQuery)
export class GetStreamQueryHandler implements IQueryHandler<GetStreamQuery, StreamIndexEntry> {
  constructor(
    @InjectRepository(StreamIndexEntry) private readonly streams: Repository<StreamIndexEntry>,
  ) {}

  async execute({ stream }: GetStreamQuery): Promise<StreamIndexEntry> {
    const entry = await this.streams.findOneBy({ stream });
    if (!entry) throw new StreamNotFound(stream);
    return entry;
  }
}
