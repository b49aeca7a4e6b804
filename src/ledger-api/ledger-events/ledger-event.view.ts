import { ApiProperty } from '@nestjs/swagger';
import type { RecordedEvent } from '../../ledger/event-log.port';

export class LedgerEventView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'DatasetVersionRegistered' }) type!: string;
  @ApiProperty({ example: 'dataset-loans' }) stream!: string;
  @ApiProperty({ description: '0-based position in its stream' }) revision!: number;
  @ApiProperty({ description: 'Opaque global ledger position; use as `after` to page on' })
  position!: string;
  @ApiProperty({ type: String, format: 'date-time' }) recordedAt!: string;
  @ApiProperty({ type: 'object', additionalProperties: true }) data!: Record<string, unknown>;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'schemaVersion, occurredAt, actor, correlationId, causationId, source, integrity {prevHash, hash}',
  })
  metadata!: Record<string, unknown>;
}

export function presentEvent(event: RecordedEvent): LedgerEventView {
  return {
    id: event.id,
    type: event.type,
    stream: event.stream,
    revision: Number(event.revision),
    position: event.position,
    recordedAt: event.recordedAt.toISOString(),
    data: event.data,
    metadata: event.metadata as unknown as Record<string, unknown>,
  };
}
