import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, Matches } from 'class-validator';
import {
  SHA256_DIGEST,
  SHA256_DIGEST_HINT,
  UUID,
  VERSION,
  VERSION_HINT,
} from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { WindowRequest } from '../../window.request.dto';
import { IsCount, MAX_COUNT, NestedObject } from '../../../ledger/http/validation';
import { IsNumberRecord } from '../../../ledger/http/number-record.validator';

export class RecordGroundTruthRequest {
  @ApiProperty({
    example: '1.4.0',
    description: `The version that scored the batches: ${VERSION_HINT}`,
  })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'Prediction batches of this deployment the outcomes belong to',
  })
  @ArrayMinSize(1)
  @ArrayMaxSize(200)
  @ArrayUnique({ message: 'batchIds must not repeat a batch' })
  @Matches(UUID, { each: true, message: 'each of batchIds must be a lower-case UUID' })
  batchIds!: string[];

  @ApiProperty({ type: WindowRequest })
  @NestedObject(() => WindowRequest)
  window!: WindowRequest;

  @ApiProperty({ example: 1800, minimum: 1, maximum: MAX_COUNT, description: 'Outcomes labelled' })
  @IsCount({ min: 1 })
  count!: number;

  @ApiProperty({
    example: `sha256:${'cd'.repeat(32)}`,
    description: `SHA-256 over the labels: ${SHA256_DIGEST_HINT}`,
  })
  @Matches(SHA256_DIGEST, { message: `labelsDigest must be ${SHA256_DIGEST_HINT}` })
  labelsDigest!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { auc: 0.81, defaultRate: 0.032 },
    description: 'Metrics of the predictions against the outcomes',
  })
  @IsNumberRecord()
  metrics!: Record<string, number>;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
