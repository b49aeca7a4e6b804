import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
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
} from 'class-validator';
import { DataSource } from 'typeorm';
import { Allow } from '../auth/access.decorators';
import { UUID } from '../ledger/commands/identifiers';
import { ApiRead } from '../ledger/http/api-read.decorator';

export class ListAccessLogRequest {
  @ApiPropertyOptional({ description: 'Only this person (token sub)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ enum: ['regulator-request', 'personal-data'] })
  @IsOptional()
  @IsIn(['regulator-request', 'personal-data'])
  kind?: 'regulator-request' | 'personal-data';

  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601() from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) @IsOptional() @IsISO8601() to?: string;

  @ApiPropertyOptional({ description: 'Cursor (exclusive): the previous page’s nextCursor' })
  @IsOptional()
  @Matches(UUID, { message: 'after must be an event id from a previous page' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

export class AccessLogEntry {
  @ApiProperty({ format: 'uuid', description: 'The ledger event that records it' })
  eventId!: string;
  @ApiProperty({ enum: ['regulator-request', 'personal-data'] }) kind!: string;
  @ApiProperty({ example: 'rita@asic.gov.au' }) actorSub!: string;
  @ApiProperty({ type: [String], example: ['regulator'] }) actorRoles!: string[];
  @ApiPropertyOptional({ type: String, nullable: true, example: 'GET' }) method!: string | null;
  @ApiProperty({ example: '/api/v1/models/credit-risk' }) url!: string;
  @ApiPropertyOptional({ type: Number, nullable: true, example: 200 }) status!: number | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'dataset-version' })
  resourceKind!: string | null;
  @ApiPropertyOptional({ type: [String], nullable: true, example: ['loan-applications@2026-02'] })
  resourceIds!: string[] | null;
  @ApiProperty() correlationId!: string;
  @ApiProperty({ type: String, format: 'date-time' }) accessedAt!: Date;
}

export class AccessLogPage {
  @ApiProperty({ type: [AccessLogEntry] }) items!: AccessLogEntry[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

@ApiTags('compliance')
@Allow('compliance-officer', 'admin', 'regulator')
@Controller('compliance/access-log')
export class AccessLogHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({
    summary:
      'The access log: every regulator request and every read that showed personal data, oldest first (each row is a ledger event)',
  })
  @ApiRead()
  @ApiOkResponse({ type: AccessLogPage })
  async list(@Query() request: ListAccessLogRequest): Promise<AccessLogPage> {
    const limit = request.limit ?? 100;
    const items = (await this.dataSource.query(
      `SELECT event_id AS "eventId", kind, actor_sub AS "actorSub", actor_roles AS "actorRoles", method, url,
              status, resource_kind AS "resourceKind", resource_ids AS "resourceIds",
              correlation_id AS "correlationId", accessed_at AS "accessedAt"
       FROM access_log
       WHERE ($1::text IS NULL OR actor_sub = $1)
         AND ($2::text IS NULL OR kind = $2)
         AND ($3::timestamptz IS NULL OR accessed_at >= $3)
         AND ($4::timestamptz IS NULL OR accessed_at <= $4)
         AND ($5::uuid IS NULL OR (accessed_at, event_id) >
              (SELECT accessed_at, event_id FROM access_log WHERE event_id = $5))
       ORDER BY accessed_at, event_id
       LIMIT $6`,
      [
        request.actor ?? null,
        request.kind ?? null,
        request.from ?? null,
        request.to ?? null,
        request.after ?? null,
        limit,
      ],
    )) as AccessLogEntry[];
    return { items, nextCursor: items.length === limit ? items[items.length - 1].eventId : null };
  }
}
