import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, Matches, MaxLength } from 'class-validator';
import { DEPLOYMENT_ID, DEPLOYMENT_ID_HINT } from '../../deployments/deployment-path.request.dto';
import { VERSION, VERSION_HINT } from '../../ledger/commands/identifiers';
import { SourceRequest } from '../../ledger/commands/source.request.dto';
import { WriteResult } from '../../ledger/commands/write-result';
import { WindowRequest } from '../../predictions/window.request.dto';
import { ALERT_SEVERITIES, type AlertSeverity } from '../monitoring.events';
import { IsMeasure, NestedObject, Optional } from '../../ledger/http/validation';

/** Metric and feature names, not values: short identifiers, so no free text about people. */
export const METRIC = /^[A-Za-z0-9][A-Za-z0-9_.:/@-]{0,63}$/;
export const FEATURE = /^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,127}$/;

/** What every monitoring signal carries; drift adds the feature, performance the direction. */
export class SignalRequest {
  @ApiProperty({ example: 'credit-risk.production', description: DEPLOYMENT_ID_HINT })
  @MaxLength(100)
  @Matches(DEPLOYMENT_ID, { message: `deploymentId must be ${DEPLOYMENT_ID_HINT}` })
  deploymentId!: string;

  @ApiProperty({
    example: '1.4.0',
    description: `A version once deployed there: ${VERSION_HINT}`,
  })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;

  @ApiProperty({ type: WindowRequest, description: 'The period measured' })
  @NestedObject(() => WindowRequest)
  window!: WindowRequest;

  @ApiProperty({ example: 0.31 })
  @IsMeasure()
  value!: number;

  @ApiProperty({ example: 0.25, description: 'Past it, the signal raises an alert' })
  @IsMeasure()
  threshold!: number;

  @ApiPropertyOptional({
    enum: ALERT_SEVERITIES,
    default: 'medium',
    description: 'Severity of the alert a breach raises',
  })
  @Optional()
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity?: AlertSeverity;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}

/** A signal's answer: the signal id, and the alert its breach raised (null when none). */
export class SignalWriteResult extends WriteResult {
  @ApiProperty({
    type: String,
    nullable: true,
    format: 'uuid',
    description: 'The alert raised because the value is past the threshold; null otherwise',
  })
  alertId!: string | null;
}
