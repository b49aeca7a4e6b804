import { NEXT_CURSOR } from '../../../ledger/queries/paging/page-request';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ACCOUNTING_METHODS,
  AFFECTED_KINDS,
  type AccountedItem,
  type AffectedKind,
} from '../../deletion-accounting';
import { daysBetween } from '../../deletion-request.decider';
import type { DeletionRequestRow } from './deletion-request.read-model';
import { DELETION_REQUEST_STATUSES } from './list-deletion-requests.request.dto';

export class VersionRefView {
  @ApiProperty({ example: 'loan-applications' }) name!: string;
  @ApiProperty({ example: '2026-02' }) version!: string;
}

export class ModelVersionRefView {
  @ApiProperty({ example: 'credit-risk' }) name!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
}

export class AffectedView {
  @ApiProperty({ type: [VersionRefView] }) datasetVersions!: VersionRefView[];
  @ApiProperty({ type: [ModelVersionRefView] }) models!: ModelVersionRefView[];
  @ApiProperty({ type: [String], example: ['credit-risk.production'] }) deployments!: string[];
}

export class AffectedItemView {
  @ApiProperty({ enum: AFFECTED_KINDS }) kind!: AffectedKind;
  @ApiProperty({
    example: 'loan-applications@2026-02',
    description:
      '<name>@<version> for dataset and model versions, <model>.<environment> for deployments',
  })
  id!: string;
}

export class AccountedItemView extends AffectedItemView {
  @ApiProperty({ enum: ACCOUNTING_METHODS }) by!: AccountedItem['by'];
  @ApiProperty({
    example: 'loan-applications@2026-02-r1',
    description: 'The replacement or retrained version, or the exception’s reason',
  })
  detail!: string;
}

export class ReplacingVersionView extends VersionRefView {
  @ApiPropertyOptional({
    type: [VersionRefView],
    description: 'The affected versions it replaces; absent if recorded before it was kept',
  })
  replaces?: VersionRefView[];
}

export class RetrainedVersionView extends ModelVersionRefView {
  @ApiPropertyOptional({
    type: [ModelVersionRefView],
    description: 'The affected model versions it replaces; absent if recorded before it was kept',
  })
  replaces?: ModelVersionRefView[];
}

export class DeletionExceptionView {
  @ApiProperty({ example: 'loan ledger 2019–2026' }) item!: string;
  @ApiProperty({ example: 'retention obligation (AML/CTF Act s 107)' }) reason!: string;
  @ApiPropertyOptional({
    type: AffectedItemView,
    description: 'The affected item it keeps; absent if recorded before exceptions named one',
  })
  covers?: AffectedItemView;
}

export class FulfilmentView {
  @ApiProperty({ type: [ReplacingVersionView] })
  replacementDatasetVersions!: ReplacingVersionView[];
  @ApiProperty({ type: [RetrainedVersionView] }) retrainedModels!: RetrainedVersionView[];
  @ApiProperty({ type: [DeletionExceptionView] }) exceptions!: DeletionExceptionView[];
  @ApiProperty({
    type: [AccountedItemView],
    nullable: true,
    description:
      'How each affected item was accounted for; null when fulfilled before every item had to be (the OAIC report flags what such a request left unaccounted)',
  })
  accountedFor!: AccountedItemView[] | null;
}

/** A deletion request with its deadline measured against today (UTC) at the time of the query. */
export class DeletionRequestView {
  @ApiProperty({ format: 'uuid' }) id!: string;

  @ApiProperty({
    example: `hmac-sha256:${'5e'.repeat(32)}`,
    description: 'Keyed hash of the subject’s identifier: the same person gives the same ref',
  })
  subjectRef!: string;

  @ApiProperty({ format: 'date', example: '2026-03-02' }) receivedOn!: string;
  @ApiProperty({ format: 'date', example: '2026-04-01', description: 'receivedOn + 30 days' })
  dueOn!: string;
  @ApiProperty({ type: String, nullable: true, example: 'web form' }) channel!: string | null;
  @ApiProperty({ enum: DELETION_REQUEST_STATUSES }) status!: string;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 12,
    description: 'Days from today to dueOn, negative when overdue; null once fulfilled',
  })
  daysLeft!: number | null;

  @ApiProperty({ description: 'Not fulfilled and today is after dueOn' }) overdue!: boolean;

  @ApiProperty({ type: AffectedView, nullable: true, description: 'The newest assessment' })
  affected!: AffectedView | null;

  @ApiProperty({ type: String, nullable: true }) notes!: string | null;
  @ApiProperty({ type: FulfilmentView, nullable: true }) fulfilment!: FulfilmentView | null;
  @ApiProperty({ example: 'carol' }) requestedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) requestedAt!: Date;
  @ApiProperty({ type: String, nullable: true }) assessedBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) assessedAt!: Date | null;
  @ApiProperty({ type: String, nullable: true }) fulfilledBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) fulfilledAt!: Date | null;
}

export class DeletionRequestPage {
  @ApiProperty({
    type: [DeletionRequestView],
    description: 'In the requested sort (default: soonest due first)',
  })
  items!: DeletionRequestView[];
  @ApiProperty({ type: String, nullable: true, description: NEXT_CURSOR })
  nextCursor!: string | null;
  @ApiProperty({ format: 'date', description: 'The date (UTC) daysLeft and overdue count from' })
  today!: string;
}

export function toView(row: DeletionRequestRow, today: string): DeletionRequestView {
  const open = row.status !== 'fulfilled';
  return {
    id: row.id,
    subjectRef: row.subjectRef,
    receivedOn: row.receivedOn,
    dueOn: row.dueOn,
    channel: row.channel,
    status: row.status,
    daysLeft: open ? daysBetween(today, row.dueOn) : null,
    overdue: open && today > row.dueOn,
    affected: row.affected,
    notes: row.notes,
    fulfilment: row.fulfilment
      ? { ...row.fulfilment, accountedFor: row.fulfilment.accountedFor ?? null }
      : null,
    requestedBy: row.requestedBy,
    requestedAt: row.requestedAt,
    assessedBy: row.assessedBy,
    assessedAt: row.assessedAt,
    fulfilledBy: row.fulfilledBy,
    fulfilledAt: row.fulfilledAt,
  };
}
