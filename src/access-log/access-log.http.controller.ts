import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { DataSource } from 'typeorm';
import { Allow } from '../auth/access.decorators';
import { ApiRead } from '../ledger/http/api-read.decorator';
import { type Listing, pageSql, whereAll } from '../ledger/queries/paging/listing';
import { NEXT_CURSOR, PageRequest } from '../ledger/queries/paging/page-request';

export const ACCESS_LOG_LISTING = {
  sorts: {
    accessedAt: [
      { expr: 'accessed_at', type: 'timestamptz', field: 'accessedAt' },
      { expr: 'event_id', type: 'uuid', field: 'eventId' },
    ],
  },
  defaultSort: 'accessedAt',
  range: { expr: 'accessed_at', type: 'timestamptz', name: 'accessedAt' },
  maxLimit: 1000,
} as const satisfies Listing;

export class ListAccessLogRequest extends PageRequest(ACCESS_LOG_LISTING) {
  @ApiPropertyOptional({ description: 'Only this person (token sub)' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  actor?: string;

  @ApiPropertyOptional({ enum: ['regulator-request', 'personal-data'] })
  @IsOptional()
  @IsIn(['regulator-request', 'personal-data'])
  kind?: 'regulator-request' | 'personal-data';
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
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

@ApiTags('compliance')
@Allow('compliance-officer', 'admin', 'regulator')
@Controller('compliance/access-log')
export class AccessLogHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({
    summary:
      'The access log: every regulator request and every read that showed personal data, oldest first by default (each row is a ledger event)',
  })
  @ApiRead()
  @ApiOkResponse({ type: AccessLogPage })
  list(@Query() request: ListAccessLogRequest): Promise<AccessLogPage> {
    return pageSql<AccessLogEntry>(
      ACCESS_LOG_LISTING,
      request,
      (sql, parameters) => this.dataSource.query(sql, parameters),
      (bind, page) => {
        const where = [...page.where];
        if (request.actor) where.push(`actor_sub = ${bind(request.actor)}`);
        if (request.kind) where.push(`kind = ${bind(request.kind)}`);
        return `SELECT event_id AS "eventId", kind, actor_sub AS "actorSub", actor_roles AS "actorRoles",
                       method, url, status, resource_kind AS "resourceKind",
                       resource_ids AS "resourceIds", correlation_id AS "correlationId",
                       accessed_at AS "accessedAt"
                FROM access_log ${whereAll(where)}
                ORDER BY ${page.orderBy} LIMIT ${page.limit}`;
      },
    );
  }
}
