import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DatasetProfiled, DatasetVersionRef, SchemaField } from '../../dataset.events';

export class DatasetValidationEntry {
  @ApiProperty() validationId!: string;
  @ApiProperty() suite!: string;
  @ApiProperty() passed!: boolean;
  @ApiProperty({ type: [String] }) failedChecks!: string[];
  @ApiProperty() validatedBy!: string;
  @ApiProperty({ format: 'date-time' }) validatedAt!: string;
}

export const DATA_STATUSES = ['stored', 'purged', 'not-stored'] as const;

/** Where the version's data file stands in Attest's store (README, "Dataset data"). */
export class DatasetDataView {
  @ApiProperty({
    enum: DATA_STATUSES,
    description:
      '`stored`: the file is in the store; `purged`: the retention sweep deleted it; `not-stored`: never uploaded',
  })
  status!: (typeof DATA_STATUSES)[number];
  @ApiProperty({ description: 'The file’s SHA-256: the registered contentHash' })
  digest!: string;
  @ApiPropertyOptional({ description: 'Bytes, once stored' }) size?: number;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) storedAt?: string;
  @ApiPropertyOptional({ type: String, format: 'date-time' }) purgedAt?: string;
}

/** One dataset version with its privacy facts, validations and latest profile. */
@Entity({ name: 'dataset_versions' })
export class DatasetVersionRow {
  @ApiProperty({ example: 'loan-applications' }) @PrimaryColumn('text') name!: string;
  @ApiProperty({ example: '2026-02' }) @PrimaryColumn('text') version!: string;
  @ApiProperty({ example: `sha256:${'9f'.repeat(32)}` })
  @Column('text', { name: 'content_hash' })
  contentHash!: string;
  @ApiProperty() @Column('bigint', { transformer: { to: String, from: Number } }) rows!: number;
  @ApiProperty({
    description: 'Fields with personal/sensitive flags and kinds',
    type: 'array',
    items: { type: 'object' },
  })
  @Column('jsonb')
  schema!: SchemaField[];
  @ApiProperty() @Column('text') location!: string;
  @ApiProperty({ example: 'ap-southeast-2' }) @Column('text') region!: string;
  @ApiProperty()
  @Column('boolean', { name: 'contains_personal' })
  containsPersonalInformation!: boolean;
  @ApiProperty()
  @Column('boolean', { name: 'contains_sensitive' })
  containsSensitiveInformation!: boolean;
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column('text', { name: 'lawful_basis', nullable: true })
  lawfulBasis!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column('text', { name: 'collection_notice', nullable: true })
  collectionNotice!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column('text', { nullable: true })
  purpose!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true, example: 'P7Y' })
  @Column('text', { nullable: true })
  retention!: string | null;
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column('text', { name: 'pia_id', nullable: true })
  piaId!: string | null;
  @ApiProperty({ type: 'array', items: { type: 'object' } })
  @Column('jsonb')
  parents!: DatasetVersionRef[];
  @ApiProperty({ enum: ['active', 'retired'] }) @Column('text') status!: 'active' | 'retired';
  @ApiPropertyOptional({ type: String, nullable: true })
  @Column('text', { name: 'retired_reason', nullable: true })
  retiredReason!: string | null;
  @ApiProperty({ type: [DatasetValidationEntry] })
  @Column('jsonb')
  validations!: DatasetValidationEntry[];
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description: 'Feature distributions: the drift baseline',
  })
  @Column('jsonb', { name: 'latest_profile', nullable: true })
  latestProfile!: Pick<DatasetProfiled['data'], 'profileId' | 'features' | 'profiledAt'> | null;
  @ApiProperty() @Column('text', { name: 'registered_by' }) registeredBy!: string;
  @ApiProperty({ type: String, format: 'date-time' })
  @Column('timestamptz', { name: 'registered_at' })
  registeredAt!: Date;
  @ApiProperty({ format: 'uuid', description: 'The DatasetVersionRegistered event' })
  @Column('uuid', { name: 'event_id' })
  eventId!: string;
  @ApiProperty({ type: DatasetDataView })
  @Column('jsonb')
  data!: DatasetDataView;
}
