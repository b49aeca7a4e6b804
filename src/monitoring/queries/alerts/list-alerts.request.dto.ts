import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, Matches, Max, MaxLength, Min } from 'class-validator';
import {
  DEPLOYMENT_ID,
  DEPLOYMENT_ID_HINT,
} from '../../../deployments/deployment-path.request.dto';
import {
  ALERT_KINDS,
  ALERT_SEVERITIES,
  type AlertKind,
  type AlertSeverity,
} from '../../monitoring.events';
import { ALERT_STATUSES, type AlertStatus } from './alert.view';

/** `<raisedAt>_<alertId>` of the last alert of the previous page. */
export const ALERT_CURSOR =
  /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z)_([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

export class ListAlertsRequest {
  @ApiPropertyOptional({ enum: ALERT_STATUSES, description: 'Omitted: both' })
  @IsOptional()
  @IsIn(ALERT_STATUSES, { message: 'status must be open or resolved' })
  status?: AlertStatus;

  @ApiPropertyOptional({ example: 'credit-risk.production', description: DEPLOYMENT_ID_HINT })
  @IsOptional()
  @MaxLength(100)
  @Matches(DEPLOYMENT_ID, { message: `deployment must be ${DEPLOYMENT_ID_HINT}` })
  deployment?: string;

  @ApiPropertyOptional({ enum: ALERT_SEVERITIES })
  @IsOptional()
  @IsIn(ALERT_SEVERITIES, { message: `severity must be one of ${ALERT_SEVERITIES.join(', ')}` })
  severity?: AlertSeverity;

  @ApiPropertyOptional({ enum: ALERT_KINDS })
  @IsOptional()
  @IsIn(ALERT_KINDS, { message: `kind must be one of ${ALERT_KINDS.join(', ')}` })
  kind?: AlertKind;

  @ApiPropertyOptional({ description: 'Cursor (exclusive): the previous page’s nextCursor' })
  @IsOptional()
  @Matches(ALERT_CURSOR, { message: 'after must be a nextCursor from a previous page' })
  after?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}
