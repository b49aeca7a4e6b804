import { ApiProperty } from '@nestjs/swagger';

export class SignalWindowView {
  @ApiProperty({ type: String, format: 'date-time' }) from!: Date;
  @ApiProperty({ type: String, format: 'date-time' }) to!: Date;
}

/** A drift or performance signal as recorded. */
export class SignalView {
  @ApiProperty({ format: 'uuid' }) signalId!: string;
  @ApiProperty({ enum: ['drift', 'performance'] }) kind!: 'drift' | 'performance';
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: '1.4.0' }) version!: string;
  @ApiProperty({
    type: String,
    nullable: true,
    example: 'annual_income',
    description: 'Drift only',
  })
  feature!: string | null;
  @ApiProperty({ example: 'psi' }) metric!: string;
  @ApiProperty({ example: 0.31 }) value!: number;
  @ApiProperty({ example: 0.25 }) threshold!: number;
  @ApiProperty({ type: Boolean, nullable: true, description: 'Performance only' })
  higherIsBetter!: boolean | null;
  @ApiProperty({ description: 'Past the threshold on the worse side: it raised an alert' })
  breached!: boolean;
  @ApiProperty({ type: SignalWindowView }) window!: SignalWindowView;
  @ApiProperty({ example: 'drift-monitor' }) detectedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) detectedAt!: Date;
  @ApiProperty({ format: 'uuid', description: 'The DriftDetected or PerformanceDegraded event' })
  eventId!: string;
}

/** A `monitoring_signals` row as SQL returns it (selected with the `s_` prefix). */
export type SignalSqlRow = {
  s_signal_id: string;
  s_kind: 'drift' | 'performance';
  s_deployment_id: string;
  s_version: string;
  s_feature: string | null;
  s_metric: string;
  s_value: number;
  s_threshold: number;
  s_higher_is_better: boolean | null;
  s_breached: boolean;
  s_window_from: Date;
  s_window_to: Date;
  s_detected_by: string;
  s_detected_at: Date;
  s_event_id: string;
};

export const SIGNAL_COLUMNS = `s.signal_id AS s_signal_id, s.kind AS s_kind,
  s.deployment_id AS s_deployment_id, s.version AS s_version, s.feature AS s_feature,
  s.metric AS s_metric, s.value AS s_value, s.threshold AS s_threshold,
  s.higher_is_better AS s_higher_is_better, s.breached AS s_breached,
  s.window_from AS s_window_from, s.window_to AS s_window_to, s.detected_by AS s_detected_by,
  s.detected_at AS s_detected_at, s.event_id AS s_event_id`;

export function signalView(row: SignalSqlRow): SignalView {
  return {
    signalId: row.s_signal_id,
    kind: row.s_kind,
    deploymentId: row.s_deployment_id,
    version: row.s_version,
    feature: row.s_feature,
    metric: row.s_metric,
    value: row.s_value,
    threshold: row.s_threshold,
    higherIsBetter: row.s_higher_is_better,
    breached: row.s_breached,
    window: { from: row.s_window_from, to: row.s_window_to },
    detectedBy: row.s_detected_by,
    detectedAt: row.s_detected_at,
    eventId: row.s_event_id,
  };
}
