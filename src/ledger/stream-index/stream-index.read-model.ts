import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One row per stream: how many events it holds and where its hash chain ends. */
@Entity({ name: 'stream_index' })
export class StreamIndexEntry {
  @ApiProperty({ example: 'dataset-loans-2026' })
  @PrimaryColumn('text')
  stream!: string;

  @ApiProperty({ example: 3 })
  @Column('bigint', { name: 'event_count', transformer: { to: String, from: Number } })
  eventCount!: number;

  @ApiProperty({ example: 2 })
  @Column('bigint', { name: 'last_revision', transformer: { to: String, from: Number } })
  lastRevision!: number;

  @ApiProperty({ format: 'uuid' })
  @Column('uuid', { name: 'last_event_id' })
  lastEventId!: string;

  @ApiProperty({ example: 'DatasetVersionRegistered' })
  @Column('text', { name: 'last_event_type' })
  lastEventType!: string;

  @ApiProperty({
    description: 'SHA-256 of the newest event: the end of the stream hash chain',
    example: 'ab12…',
  })
  @Column('char', { name: 'last_hash', length: 64 })
  lastHash!: string;

  @ApiProperty({ description: 'Ledger position of the newest event (opaque)' })
  @Column('text', { name: 'last_position' })
  lastPosition!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  @Column('timestamptz', { name: 'last_recorded_at' })
  lastRecordedAt!: Date;
}
