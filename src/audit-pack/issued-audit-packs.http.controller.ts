import { Controller, Get, Query } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { IsOptional, Matches } from 'class-validator';
import { DataSource } from 'typeorm';
import { Allow } from '../auth/access.decorators';
import {
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  VERSION,
  VERSION_HINT,
} from '../ledger/commands/identifiers';
import { ApiRead } from '../ledger/http/api-read.decorator';
import { type Listing, pageSql, whereAll } from '../ledger/queries/paging/listing';
import { NEXT_CURSOR, PageRequest } from '../ledger/queries/paging/page-request';

export const AUDIT_PACK_LISTING = {
  sorts: {
    issuedAt: [
      { expr: 'issued_at', type: 'timestamptz', field: 'issuedAt' },
      { expr: 'pack_id', type: 'uuid', field: 'packId' },
    ],
  },
  defaultSort: 'issuedAt',
  range: { expr: 'issued_at', type: 'timestamptz', name: 'issuedAt' },
  maxLimit: 1000,
} as const satisfies Listing;

export class ListAuditPacksRequest extends PageRequest(AUDIT_PACK_LISTING) {
  @ApiPropertyOptional({ description: 'Only packs of this model', example: 'credit-risk' })
  @IsOptional()
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model?: string;

  @ApiPropertyOptional({ description: 'Only packs of this version (with model)', example: '1.4.0' })
  @IsOptional()
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version?: string;
}

export class IssuedAuditPack {
  @ApiProperty({ format: 'uuid', description: 'The Attest-Pack-Id header of the PDF' })
  packId!: string;
  @ApiProperty({ format: 'uuid', description: 'The AuditPackIssued event that records it' })
  eventId!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ description: 'SHA-256 of the signed PDF, hex (Attest-Content-SHA256)' })
  sha256!: string;
  @ApiProperty({ description: 'Size of the signed PDF in bytes', example: 181234 })
  bytes!: number;
  @ApiProperty({ description: 'Events the pack cites', example: 42 }) citedEvents!: number;
  @ApiProperty({ description: 'Size of the signed tree that holds them', example: 1024 })
  treeSize!: number;
  @ApiProperty({ description: 'Token sub of who asked for it', example: 'carol-compliance' })
  issuedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) issuedAt!: Date;
}

export class IssuedAuditPackPage {
  @ApiProperty({ type: [IssuedAuditPack] }) items!: IssuedAuditPack[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
}

@ApiTags('audit packs')
@Allow('compliance-officer', 'admin', 'regulator')
@Controller('compliance/audit-packs')
export class IssuedAuditPacksHttpController {
  constructor(private readonly dataSource: DataSource) {}

  @Get()
  @ApiOperation({
    summary: 'Every audit pack handed out, oldest first by default (each row is a ledger event)',
    description:
      'One row per AuditPackIssued: which model version, the signed PDF’s SHA-256 and size, the events it cites, who asked for it (token sub) and when, through the API or the console. Packs handed out before AuditPackIssued existed are not listed.',
  })
  @ApiRead()
  @ApiOkResponse({ type: IssuedAuditPackPage })
  list(@Query() request: ListAuditPacksRequest): Promise<IssuedAuditPackPage> {
    return pageSql<IssuedAuditPack>(
      AUDIT_PACK_LISTING,
      request,
      (sql, parameters) => this.dataSource.query(sql, parameters),
      (bind, page) => {
        const where = [...page.where];
        if (request.model) where.push(`model = ${bind(request.model)}`);
        if (request.version) where.push(`version = ${bind(request.version)}`);
        return `SELECT pack_id AS "packId", event_id AS "eventId", model, version, sha256,
                       bytes::float8 AS bytes, cited_events AS "citedEvents",
                       tree_size::float8 AS "treeSize", issued_by AS "issuedBy",
                       issued_at AS "issuedAt"
                FROM audit_packs ${whereAll(where)}
                ORDER BY ${page.orderBy} LIMIT ${page.limit}`;
      },
    );
  }
}
