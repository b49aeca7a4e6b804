import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { DeploymentEvent, DeploymentStrategy } from '../../deployment.events';

const asNumber = { to: (value: number) => value, from: (value: string | null) => Number(value) };

/** One model in one environment as it stands now (read by the model registry too). */
@Entity({ name: 'deployments' })
export class DeploymentRow {
  @ApiProperty({ example: 'credit-risk.production', description: '<model>.<environment>' })
  @PrimaryColumn('text', { name: 'deployment_id' })
  deploymentId!: string;

  @ApiProperty({ example: 'credit-risk' }) @Column('text') model!: string;
  @ApiProperty({ example: 'production' }) @Column('text') environment!: string;

  @ApiProperty({
    type: String,
    nullable: true,
    example: '1.4.0',
    description:
      'Serving all traffic, or the share a canary leaves; null when nothing serves (inactive, retired, or a canary running alone)',
  })
  @Column('text', { nullable: true })
  version!: string | null;

  @ApiProperty({ type: String, nullable: true, example: '1.5.0' })
  @Column('text', { name: 'canary_version', nullable: true })
  canaryVersion!: string | null;

  @ApiProperty({ type: Number, nullable: true, example: 10 })
  @Column('int', { name: 'canary_percent', nullable: true })
  canaryPercent!: number | null;

  @ApiProperty({ enum: ['full', 'canary'], description: 'canary while a canary runs' })
  @Column('text')
  strategy!: DeploymentStrategy;

  @ApiProperty({
    enum: ['active', 'inactive', 'retired'],
    description: 'inactive: rolled back to nothing',
  })
  @Column('text')
  status!: 'active' | 'inactive' | 'retired';

  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The approval cited when the newest version serving here was deployed',
  })
  @Column('text', { name: 'approval_id', nullable: true })
  approvalId!: string | null;

  @ApiProperty({ example: 'rita', description: 'Who made the latest change' })
  @Column('text', { name: 'deployed_by' })
  deployedBy!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  @Column('timestamptz', { name: 'updated_at' })
  updatedAt!: Date;

  @ApiProperty({ example: 3, description: 'Revision of the deployment stream shown' })
  @Column('bigint', { name: 'last_revision', transformer: asNumber })
  lastRevision!: number;
}

/** One event of a deployment's stream. */
@Entity({ name: 'deployment_history' })
export class DeploymentHistoryRow {
  @ApiProperty({ example: 'credit-risk.production' })
  @PrimaryColumn('text', { name: 'deployment_id' })
  deploymentId!: string;

  @ApiProperty({ example: 0 })
  @PrimaryColumn('bigint', { transformer: asNumber })
  revision!: number;

  @ApiProperty({
    enum: ['ModelDeployed', 'DeploymentPromoted', 'DeploymentRolledBack', 'DeploymentRetired'],
  })
  @Column('text', { name: 'event_type' })
  eventType!: DeploymentEvent['type'];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The version deployed, promoted, rolled back or retired',
  })
  @Column('text', { nullable: true })
  version!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Serving all traffic before' })
  @Column('text', { name: 'from_version', nullable: true })
  fromVersion!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'Serving all traffic after' })
  @Column('text', { name: 'to_version', nullable: true })
  toVersion!: string | null;

  @ApiProperty({ type: String, nullable: true, enum: ['full', 'canary'] })
  @Column('text', { nullable: true })
  strategy!: DeploymentStrategy | null;

  @ApiProperty({ type: Number, nullable: true })
  @Column('int', { name: 'canary_percent', nullable: true })
  canaryPercent!: number | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  @Column('text', { name: 'approval_id', nullable: true })
  approvalId!: string | null;

  @ApiProperty({ type: String, nullable: true })
  @Column('text', { nullable: true })
  reason!: string | null;

  @ApiProperty({
    type: Boolean,
    nullable: true,
    description: 'For a rollback: taken by a monitor on its own',
  })
  @Column('boolean', { nullable: true })
  automatic!: boolean | null;

  @ApiProperty({ example: 'rita' }) @Column('text') actor!: string;

  @ApiProperty({ type: String, format: 'date-time' })
  @Column('timestamptz')
  at!: Date;

  @ApiProperty({ format: 'uuid' })
  @Column('uuid', { name: 'event_id' })
  eventId!: string;
}
