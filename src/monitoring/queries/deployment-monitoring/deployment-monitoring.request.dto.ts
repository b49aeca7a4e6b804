import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsISO8601, IsOptional, Matches } from 'class-validator';

export const BUCKETS = ['hour', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];

/** An RFC 3339 instant: date, time and offset. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

export class DeploymentMonitoringRequest {
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-01-01T00:00:00Z',
    description:
      'Start (inclusive), rounded down to its bucket (UTC). Default: 30 day buckets (48 hour buckets) before `to`',
  })
  @IsOptional()
  @Matches(INSTANT, { message: 'from must be an instant such as 2026-01-01T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'from must be a valid date and time' })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-02-01T00:00:00Z',
    description:
      'End (exclusive), rounded up to its bucket. Default: the end of the current bucket',
  })
  @IsOptional()
  @Matches(INSTANT, { message: 'to must be an instant such as 2026-02-01T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'to must be a valid date and time' })
  to?: string;

  @ApiPropertyOptional({ enum: BUCKETS, default: 'day', description: 'UTC hours or days' })
  @IsOptional()
  @IsIn(BUCKETS, { message: 'bucket must be hour or day' })
  bucket?: Bucket;
}
