import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
} from 'class-validator';
import {
  LINEAGE_DIRECTIONS,
  LINEAGE_NODE_KINDS,
  type LineageDirection,
  type LineageNodeKind,
  acceptsNodeId,
  canonicalNodeId,
  isLineageNodeKind,
  nodeIdHint,
} from '../../lineage-graph';

/** An RFC 3339 instant: date, time and offset (a bare date is not an instant). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export const DEFAULT_DEPTH = 4;
export const DEFAULT_NODE_LIMIT = 1000;

export const LINEAGE_BATCH_MODES = ['summary', 'each'] as const;
export type LineageBatchMode = (typeof LINEAGE_BATCH_MODES)[number];

/** The id's shape depends on the kind; an unknown kind is reported on `kind` alone. */
function IsNodeIdOfKind(): PropertyDecorator {
  return ValidateBy({
    name: 'isNodeIdOfKind',
    validator: {
      validate: (value: unknown, args) => {
        const kind = (args?.object as { kind?: unknown } | undefined)?.kind;
        return (
          !isLineageNodeKind(kind) || (typeof value === 'string' && acceptsNodeId(kind, value))
        );
      },
      defaultMessage: (args) => {
        const kind = (args?.object as { kind: LineageNodeKind }).kind;
        return `id must be ${nodeIdHint(kind)}`;
      },
    },
  });
}

export class LineagePath {
  @ApiProperty({ enum: LINEAGE_NODE_KINDS, example: 'dataset-version' })
  @IsIn(LINEAGE_NODE_KINDS, { message: `kind must be one of ${LINEAGE_NODE_KINDS.join(', ')}` })
  kind!: LineageNodeKind;

  @ApiProperty({
    example: 'credit-applications@2026-01',
    description:
      'dataset-version and model-version: `<name>@<version>`; training-run and prediction-batch: the UUID; deployment: `<model>.<environment>`',
  })
  @Transform(({ value, obj }: { value: unknown; obj: { kind?: unknown } }) =>
    typeof value === 'string' && isLineageNodeKind(obj.kind)
      ? canonicalNodeId(obj.kind, value)
      : value,
  )
  @IsString()
  @MaxLength(200)
  @IsNodeIdOfKind()
  id!: string;
}

export class LineageRequest {
  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 10,
    default: DEFAULT_DEPTH,
    description: 'How many edges away from the root the walk goes, in each direction',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'depth must be a whole number from 1 to 10' })
  @Min(1)
  @Max(10)
  depth?: number;

  @ApiPropertyOptional({
    enum: LINEAGE_DIRECTIONS,
    default: 'both',
    description:
      'upstream: what the root came from; downstream: what came from it; both: the two walks together',
  })
  @IsOptional()
  @IsIn(LINEAGE_DIRECTIONS, { message: 'direction must be upstream, downstream or both' })
  direction?: LineageDirection;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-03-01T00:00:00Z',
    description:
      'The graph as it was at this instant: only nodes and edges recorded (business time, occurredAt) by then, with the facts they had then',
  })
  @IsOptional()
  @Matches(INSTANT, { message: 'asOf must be an instant such as 2026-03-01T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'asOf must be a valid date and time' })
  asOf?: string;

  @ApiPropertyOptional({
    enum: LINEAGE_BATCH_MODES,
    default: 'summary',
    description:
      'summary: prediction batches are not listed one by one; each deployment and model version that scored some carries `predictionBatches` (count, first and last recorded). each: every batch is a node of its own (a busy deployment has thousands). A prediction batch as the root is always itself',
  })
  @IsOptional()
  @IsIn(LINEAGE_BATCH_MODES, { message: 'batches must be summary or each' })
  batches?: LineageBatchMode;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 5000,
    default: DEFAULT_NODE_LIMIT,
    description:
      'At most this many nodes (nearest first); `truncated` says when the walk stopped early',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt({ message: 'limit must be a whole number from 1 to 5000' })
  @Min(1)
  @Max(5000)
  limit?: number;
}
