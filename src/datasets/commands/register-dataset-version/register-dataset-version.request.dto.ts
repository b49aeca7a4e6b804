import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  REGION,
  REGION_HINT,
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  SHA256_DIGEST,
  SHA256_DIGEST_HINT,
  VERSION,
  VERSION_HINT,
} from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { VersionRefRequest } from '../../../ledger/commands/version-ref.request.dto';
import {
  IsCount,
  MAX_COUNT,
  NestedArray,
  NestedObject,
  Optional,
} from '../../../ledger/http/validation';

export class DatasetPath {
  @ApiProperty({ example: 'loan-applications', description: RESOURCE_NAME_HINT })
  @Matches(RESOURCE_NAME, { message: `name must be ${RESOURCE_NAME_HINT}` })
  name!: string;
}

export class DatasetVersionPath extends DatasetPath {
  @ApiProperty({ example: '2026-02', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;
}

export class SchemaFieldRequest {
  @ApiProperty({ example: 'annual_income' })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  name!: string;

  @ApiProperty({ example: 'number' })
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  type!: string;

  @ApiProperty({ description: 'Personal information about an identifiable person' })
  @IsBoolean()
  personal!: boolean;

  @ApiProperty({
    description: 'Sensitive information (health, racial origin, …); implies personal',
  })
  @IsBoolean()
  sensitive!: boolean;

  @ApiPropertyOptional({
    example: 'financial',
    description: 'Kind of personal information; required when personal',
  })
  @Optional()
  @Matches(/^[a-z][a-z0-9-]{0,47}$/, {
    message: 'category must be a lower-case kind such as financial',
  })
  category?: string;

  @ApiPropertyOptional({
    description: 'A protected attribute fairness is assessed against',
    default: false,
  })
  @Optional()
  @IsBoolean()
  protectedAttribute?: boolean;
}

export class RegisterDatasetVersionRequest {
  @ApiProperty({ example: '2026-02', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;

  @ApiProperty({ example: `sha256:${'9f'.repeat(32)}`, description: SHA256_DIGEST_HINT })
  @Matches(SHA256_DIGEST, { message: `contentHash must be ${SHA256_DIGEST_HINT}` })
  contentHash!: string;

  @ApiProperty({ example: 120000, minimum: 0, maximum: MAX_COUNT })
  @IsCount()
  rows!: number;

  @ApiProperty({ type: [SchemaFieldRequest] })
  @NestedArray(() => SchemaFieldRequest, { min: 1, max: 2000 })
  schema!: SchemaFieldRequest[];

  @ApiProperty({ example: 's3://lake/loans/2026-02.parquet' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  location!: string;

  @ApiProperty({
    example: 'ap-southeast-2',
    description: 'Where the data is held (data sovereignty)',
  })
  @Matches(REGION, { message: `region must be ${REGION_HINT}` })
  region!: string;

  @ApiPropertyOptional({
    example: 'consent (application form s.4)',
    description: 'Required when a field is personal',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  lawfulBasis?: string;

  @ApiPropertyOptional({
    example: 'https://bank.example/privacy/collection-notice-v3',
    description: 'Required when a field is personal',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  collectionNotice?: string;

  @ApiPropertyOptional({ example: 'credit assessment' })
  @Optional()
  @IsString()
  @MaxLength(500)
  purpose?: string;

  @ApiPropertyOptional({
    example: 'P7Y',
    description: 'ISO 8601 duration; required when a field is personal',
  })
  @Optional()
  @Matches(/^P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?$/, {
    message: 'retention must be an ISO 8601 duration such as P7Y',
  })
  retention?: string;

  @ApiPropertyOptional({ example: 'PIA-2026-014', description: 'Privacy impact assessment id' })
  @Optional()
  @IsString()
  @MaxLength(100)
  piaId?: string;

  @ApiPropertyOptional({
    type: [VersionRefRequest],
    description: 'Registered dataset versions this one was derived from',
  })
  @NestedArray(() => VersionRefRequest, { max: 100, optional: true })
  parents?: VersionRefRequest[];

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
