import { ApiProperty } from '@nestjs/swagger';
import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { PredictionBatchRecorded } from '../../prediction.events';

const asNumber = { to: (value: number) => value, from: (value: string) => Number(value) };

/** One PredictionBatchRecorded event, with its figures in columns. */
@Entity({ name: 'prediction_batches' })
export class PredictionBatchRow {
  @PrimaryColumn('uuid', { name: 'batch_id' }) batchId!: string;
  @Column('text', { name: 'deployment_id' }) deploymentId!: string;
  @Column('text') model!: string;
  @Column('text') environment!: string;
  @Column('text') version!: string;
  @Column('bigint', { transformer: asNumber }) count!: number;
  @Column('timestamptz', { name: 'window_from' }) windowFrom!: Date;
  @Column('timestamptz', { name: 'window_to' }) windowTo!: Date;
  @Column('text', { name: 'input_digest' }) inputDigest!: string;
  @Column('jsonb', { name: 'output_distribution' }) outputDistribution!: Record<string, number>;
  @Column('jsonb', { name: 'feature_summaries' })
  featureSummaries!: PredictionBatchRecorded['data']['featureSummaries'];
  @Column('double precision', { name: 'latency_p50_ms' }) latencyP50Ms!: number;
  @Column('double precision', { name: 'latency_p95_ms' }) latencyP95Ms!: number;
  @Column('double precision', { name: 'latency_p99_ms' }) latencyP99Ms!: number;
  @Column('bigint', { transformer: asNumber }) automated!: number;
  @Column('bigint', { transformer: asNumber }) referred!: number;
  @Column('text', { name: 'recorded_by' }) recordedBy!: string;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt!: Date;
  @Column('uuid', { name: 'event_id' }) eventId!: string;
}

/** One GroundTruthRecorded event. */
@Entity({ name: 'ground_truth' })
export class GroundTruthRow {
  @PrimaryColumn('uuid', { name: 'ground_truth_id' }) groundTruthId!: string;
  @Column('text', { name: 'deployment_id' }) deploymentId!: string;
  @Column('text') model!: string;
  @Column('text') environment!: string;
  @Column('text') version!: string;
  @Column('jsonb', { name: 'batch_ids' }) batchIds!: string[];
  @Column('timestamptz', { name: 'window_from' }) windowFrom!: Date;
  @Column('timestamptz', { name: 'window_to' }) windowTo!: Date;
  @Column('bigint', { transformer: asNumber }) count!: number;
  @Column('text', { name: 'labels_digest' }) labelsDigest!: string;
  @Column('jsonb') metrics!: Record<string, number>;
  @Column('text', { name: 'recorded_by' }) recordedBy!: string;
  @Column('timestamptz', { name: 'recorded_at' }) recordedAt!: Date;
  @Column('uuid', { name: 'event_id' }) eventId!: string;
}

class WindowView {
  @ApiProperty({ type: String, format: 'date-time' }) from!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) to!: Date;
}

class FeatureSummaryView {
  @ApiProperty() feature!: string;
  @ApiProperty({ type: Number, nullable: true }) mean!: number | null;
  @ApiProperty({ type: Number, nullable: true }) stddev!: number | null;
  @ApiProperty() missing!: number;
}

class LatencyView {
  @ApiProperty() p50!: number;
  @ApiProperty() p95!: number;
  @ApiProperty() p99!: number;
}

class DecisionsView {
  @ApiProperty() automated!: number;
  @ApiProperty() referred!: number;
}

/** A batch as the API shows it: the shape it was recorded in. */
export class PredictionBatchView {
  @ApiProperty({ format: 'uuid' }) batchId!: string;
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({ example: 1000 }) count!: number;
  @ApiProperty({ type: WindowView }) window!: WindowView;
  @ApiProperty() inputDigest!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'integer' },
    example: { approve: 812, refer: 140, decline: 48 },
  })
  outputDistribution!: Record<string, number>;
  @ApiProperty({ type: [FeatureSummaryView] })
  featureSummaries!: FeatureSummaryView[];
  @ApiProperty({ type: LatencyView }) latencyMs!: LatencyView;
  @ApiProperty({ type: DecisionsView }) decisions!: DecisionsView;
  @ApiProperty() recordedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) recordedAt!: Date;
  @ApiProperty({ format: 'uuid', description: 'The PredictionBatchRecorded event' })
  eventId!: string;
}

export class GroundTruthView {
  @ApiProperty({ format: 'uuid' }) groundTruthId!: string;
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty() model!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ type: [String], format: 'uuid' }) batchIds!: string[];
  @ApiProperty({ type: WindowView }) window!: WindowView;
  @ApiProperty() count!: number;
  @ApiProperty() labelsDigest!: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  metrics!: Record<string, number>;
  @ApiProperty() recordedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) recordedAt!: Date;
  @ApiProperty({ format: 'uuid', description: 'The GroundTruthRecorded event' })
  eventId!: string;
}

export function predictionBatchView(row: PredictionBatchRow): PredictionBatchView {
  return {
    batchId: row.batchId,
    deploymentId: row.deploymentId,
    model: row.model,
    environment: row.environment,
    version: row.version,
    count: row.count,
    window: { from: row.windowFrom, to: row.windowTo },
    inputDigest: row.inputDigest,
    outputDistribution: row.outputDistribution,
    featureSummaries: row.featureSummaries,
    latencyMs: { p50: row.latencyP50Ms, p95: row.latencyP95Ms, p99: row.latencyP99Ms },
    decisions: { automated: row.automated, referred: row.referred },
    recordedBy: row.recordedBy,
    recordedAt: row.recordedAt,
    eventId: row.eventId,
  };
}

export function groundTruthView(row: GroundTruthRow): GroundTruthView {
  const { windowFrom, windowTo, ...rest } = row;
  return { ...rest, window: { from: windowFrom, to: windowTo } };
}
