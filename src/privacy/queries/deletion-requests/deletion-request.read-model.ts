import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeletionAssessed, DeletionFulfilled } from '../../deletion-request.events';

export type DeletionRequestStatus = 'open' | 'assessed' | 'fulfilled';
export type AffectedItems = DeletionAssessed['data']['affected'];
export type FulfilmentRecord = Pick<
  DeletionFulfilled['data'],
  'replacementDatasetVersions' | 'retrainedModels' | 'exceptions' | 'accountedFor'
>;

/** One deletion request as the privacy projection keeps it. */
@Entity({ name: 'deletion_requests' })
export class DeletionRequestRow {
  @PrimaryColumn('uuid') id!: string;
  @Column('text', { name: 'subject_ref' }) subjectRef!: string;
  /** TypeORM hands `date` columns over as YYYY-MM-DD strings, never shifted by a time zone. */
  @Column('date', { name: 'received_on' }) receivedOn!: string;
  @Column('date', { name: 'due_on' }) dueOn!: string;
  @Column('text', { nullable: true }) channel!: string | null;
  @Column('text') status!: DeletionRequestStatus;
  @Column('jsonb', { nullable: true }) affected!: AffectedItems | null;
  @Column('text', { nullable: true }) notes!: string | null;
  @Column('jsonb', { nullable: true }) fulfilment!: FulfilmentRecord | null;
  @Column('text', { name: 'requested_by' }) requestedBy!: string;
  @Column('timestamptz', { name: 'requested_at' }) requestedAt!: Date;
  @Column('text', { name: 'assessed_by', nullable: true }) assessedBy!: string | null;
  @Column('timestamptz', { name: 'assessed_at', nullable: true }) assessedAt!: Date | null;
  @Column('text', { name: 'fulfilled_by', nullable: true }) fulfilledBy!: string | null;
  @Column('timestamptz', { name: 'fulfilled_at', nullable: true }) fulfilledAt!: Date | null;
  @Column('bigint', { name: 'last_revision', transformer: { to: String, from: Number } })
  lastRevision!: number;
}
