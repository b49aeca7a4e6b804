import { NEXT_CURSOR } from '../../../ledger/queries/paging/page-request';
import { ApiProperty } from '@nestjs/swagger';
import {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  type AlertKind,
  type AlertSeverity,
} from '../../monitoring.events';
import { type SignalSqlRow, SignalView, signalView } from '../signal.view';

export const ALERT_STATUSES = ['open', 'resolved'] as const;
export type AlertStatus = (typeof ALERT_STATUSES)[number];

export class AlertView {
  @ApiProperty({ format: 'uuid' }) alertId!: string;
  @ApiProperty({ example: 'credit-risk.production' }) deploymentId!: string;
  @ApiProperty({ example: 'credit-risk' }) model!: string;
  @ApiProperty({ example: 'production' }) environment!: string;
  @ApiProperty({ enum: ALERT_SEVERITIES }) severity!: AlertSeverity;
  @ApiProperty({ enum: ALERT_KINDS }) kind!: AlertKind;
  @ApiProperty({
    example:
      'psi of annual_income is 0.31, above the threshold 0.25 (credit-risk@1.4.0 in production, …)',
  })
  summary!: string;
  @ApiProperty({ enum: ALERT_STATUSES }) status!: AlertStatus;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) causeEventId!: string | null;
  @ApiProperty({
    type: SignalView,
    nullable: true,
    description: 'The signal that raised it, when its cause is a recorded signal',
  })
  cause!: SignalView | null;
  @ApiProperty({ example: 'drift-monitor' }) raisedBy!: string;
  @ApiProperty({ type: String, format: 'date-time' }) raisedAt!: Date;
  @ApiProperty({ format: 'uuid', description: 'The AlertRaised event' }) raisedEventId!: string;
  @ApiProperty({ type: String, nullable: true }) resolution!: string | null;
  @ApiProperty({ type: String, nullable: true }) resolvedBy!: string | null;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) resolvedAt!: Date | null;
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The AlertResolved event',
  })
  resolvedEventId!: string | null;
}

export class AlertPage {
  @ApiProperty({
    type: [AlertView],
    description: 'In the requested sort (default: newest raised first)',
  })
  items!: AlertView[];
  @ApiProperty({
    type: String,
    nullable: true,
    description: NEXT_CURSOR,
  })
  nextCursor!: string | null;
}

export type AlertSqlRow = Partial<SignalSqlRow> & {
  alert_id: string;
  deployment_id: string;
  model: string;
  environment: string;
  severity: AlertSeverity;
  kind: AlertKind;
  summary: string;
  status: AlertStatus;
  cause_event_id: string | null;
  raised_by: string;
  raised_at: Date;
  raised_event_id: string;
  resolution: string | null;
  resolved_by: string | null;
  resolved_at: Date | null;
  resolved_event_id: string | null;
};

export function alertView(row: AlertSqlRow): AlertView {
  return {
    alertId: row.alert_id,
    deploymentId: row.deployment_id,
    model: row.model,
    environment: row.environment,
    severity: row.severity,
    kind: row.kind,
    summary: row.summary,
    status: row.status,
    causeEventId: row.cause_event_id,
    cause: row.s_signal_id ? signalView(row as SignalSqlRow) : null,
    raisedBy: row.raised_by,
    raisedAt: row.raised_at,
    raisedEventId: row.raised_event_id,
    resolution: row.resolution,
    resolvedBy: row.resolved_by,
    resolvedAt: row.resolved_at,
    resolvedEventId: row.resolved_event_id,
  };
}
