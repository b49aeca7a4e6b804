import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  DEPLOYMENT_ID,
  DEPLOYMENT_ID_HINT,
} from '../../../deployments/deployment-path.request.dto';
import { UUID } from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  type AlertKind,
  type AlertSeverity,
} from '../../monitoring.events';
import { NestedObject, Optional } from '../../../ledger/http/validation';

export class RaiseAlertRequest {
  @ApiProperty({ example: 'credit-risk.production', description: DEPLOYMENT_ID_HINT })
  @MaxLength(100)
  @Matches(DEPLOYMENT_ID, { message: `deploymentId must be ${DEPLOYMENT_ID_HINT}` })
  deploymentId!: string;

  @ApiProperty({ enum: ALERT_SEVERITIES, example: 'high' })
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity!: AlertSeverity;

  @ApiProperty({ enum: ALERT_KINDS, example: 'operational' })
  @IsIn(ALERT_KINDS, { message: `kind must be one of ${ALERT_KINDS.join(', ')}` })
  kind!: AlertKind;

  @ApiProperty({
    example: 'scoring latency p99 above 2 s since 09:00',
    description: 'What is wrong; kept in the ledger, so name no person',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  summary!: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The DriftDetected or PerformanceDegraded event of this deployment behind it',
  })
  @Optional()
  @Matches(UUID, { message: 'causeEventId must be an event id (a lower-case UUID)' })
  causeEventId?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
