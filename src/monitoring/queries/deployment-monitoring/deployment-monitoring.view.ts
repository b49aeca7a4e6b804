import { ApiProperty } from '@nestjs/swagger';
import { ALERT_KINDS, ALERT_SEVERITIES } from '../../monitoring.events';
import { BUCKETS } from './deployment-monitoring.request.dto';

const counts = (example: Record<string, number>) => ({
  type: 'object' as const,
  additionalProperties: { type: 'integer' as const },
  example,
});

export class DecisionsFigures {
  @ApiProperty({ example: 2130 }) automated!: number;
  @ApiProperty({ example: 870 }) referred!: number;
  @ApiProperty({ type: Number, nullable: true, example: 0.71, description: 'automated / volume' })
  automatedShare!: number | null;
  @ApiProperty({ type: Number, nullable: true, example: 0.29, description: 'referred / volume' })
  referredShare!: number | null;
}

export class LatencyFigures {
  @ApiProperty({ example: 11.2, description: 'Mean of the batches’ p50, weighted by their counts' })
  p50!: number;
  @ApiProperty({ example: 35.5, description: 'Mean of the batches’ p95, weighted by their counts' })
  p95!: number;
  @ApiProperty({ example: 60, description: 'Highest p99 of any batch (an upper bound)' })
  p99!: number;
}

export class GroundTruthFigures {
  @ApiProperty({
    example: 1,
    description: 'Ground-truth records whose window starts in the bucket',
  })
  records!: number;
  @ApiProperty({ example: 2400, description: 'Outcomes labelled in them' }) labelled!: number;
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { auc: 0.8, defaultRate: 0.031 },
    description: 'Each metric’s mean over the records that report it, weighted by their counts',
  })
  metrics!: Record<string, number>;
  @ApiProperty({ type: [String], format: 'uuid' }) groundTruthIds!: string[];
}

/** What the prediction batches (and ground truth) of a period add up to. */
export class MonitoringFigures {
  @ApiProperty({ example: 3000, description: 'Predictions: the sum of the batches’ counts' })
  volume!: number;
  @ApiProperty({ example: 3 }) batches!: number;
  @ApiProperty({ ...counts({ '1.0.0': 3000 }), description: 'Predictions per version' })
  volumeByVersion!: Record<string, number>;
  @ApiProperty({ type: DecisionsFigures }) decisions!: DecisionsFigures;
  @ApiProperty({
    ...counts({ approve: 1830, refer: 870, decline: 300 }),
    description: 'Outputs per class, summed',
  })
  outputDistribution!: Record<string, number>;
  @ApiProperty({
    type: LatencyFigures,
    nullable: true,
    description:
      'Batches report percentiles, which cannot be combined exactly: p50 and p95 are count-weighted means, p99 the maximum. Null with no predictions.',
  })
  latencyMs!: LatencyFigures | null;
  @ApiProperty({
    type: GroundTruthFigures,
    nullable: true,
    description: 'Null where no labels arrived',
  })
  groundTruth!: GroundTruthFigures | null;
}

export class MonitoringBucket extends MonitoringFigures {
  @ApiProperty({ type: String, format: 'date-time' }) start!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'Exclusive' }) end!: string;
}

export class TimelineSignal {
  @ApiProperty({ format: 'uuid' }) signalId!: string;
  @ApiProperty({ type: String, nullable: true }) feature!: string | null;
  @ApiProperty({ example: 'psi' }) metric!: string;
  @ApiProperty() value!: number;
  @ApiProperty() threshold!: number;
  @ApiProperty() breached!: boolean;
  @ApiProperty({ type: String, format: 'date-time' }) windowFrom!: string;
  @ApiProperty({ type: String, format: 'date-time' }) windowTo!: string;
}

export const TIMELINE_TYPES = [
  'ModelDeployed',
  'DeploymentPromoted',
  'DeploymentRolledBack',
  'DeploymentRetired',
  'DriftDetected',
  'PerformanceDegraded',
  'AlertRaised',
  'AlertResolved',
] as const;
export type TimelineType = (typeof TIMELINE_TYPES)[number];

/** One recorded change or finding, at the business time its command recorded. */
export class TimelineEntry {
  @ApiProperty({ type: String, format: 'date-time' }) at!: string;
  @ApiProperty({ enum: TIMELINE_TYPES }) type!: TimelineType;
  @ApiProperty({ format: 'uuid' }) eventId!: string;
  @ApiProperty({ example: 'rick' }) actor!: string;
  @ApiProperty({
    example: 'rolled back 1.1.0 to 1.0.0: PSI on annual_income above 0.25',
    description: 'One line for people',
  })
  summary!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Deployed, promoted, retired or measured version; for a rollback the version taken out',
  })
  version!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'Rollback: the version serving again' })
  toVersion!: string | null;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Rollback: taken by a monitor' })
  automatic!: boolean | null;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) alertId!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ALERT_SEVERITIES }) severity!: string | null;
  @ApiProperty({ type: String, nullable: true, enum: ALERT_KINDS }) kind!: string | null;
  @ApiProperty({ type: TimelineSignal, nullable: true }) signal!: TimelineSignal | null;
}

export class DeploymentMonitoringView {
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ enum: ['active', 'inactive', 'retired'], description: 'As it stands now' })
  status!: string;
  @ApiProperty({ type: String, nullable: true, description: 'Serving all traffic now' })
  version!: string | null;
  @ApiProperty({ type: String, nullable: true }) canaryVersion!: string | null;
  @ApiProperty({ enum: BUCKETS }) bucket!: string;
  @ApiProperty({ type: String, format: 'date-time', description: 'Start of the first bucket' })
  from!: string;
  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'End of the last bucket (exclusive)',
  })
  to!: string;
  @ApiProperty({ type: MonitoringFigures, description: 'The whole range' })
  totals!: MonitoringFigures;
  @ApiProperty({
    type: [MonitoringBucket],
    description:
      'Every bucket of the range, oldest first, empty ones included. A batch or ground-truth record counts in the bucket where its window starts.',
  })
  buckets!: MonitoringBucket[];
  @ApiProperty({
    type: [TimelineEntry],
    description:
      'Deployments, promotions, rollbacks and retirements, drift and performance signals, alerts raised and resolved, in the range, oldest first',
  })
  timeline!: TimelineEntry[];
}
