import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';
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

export const ALERT_LISTING = {
  sorts: {
    raisedAt: [
      { expr: 'a.raised_at', type: 'timestamptz', field: 'raised_at' },
      { expr: 'a.alert_id', type: 'uuid', field: 'alert_id' },
    ],
  },
  defaultSort: '-raisedAt',
  range: { expr: 'a.raised_at', type: 'timestamptz', name: 'raisedAt' },
  maxLimit: 1000,
} as const satisfies Listing;

export class ListAlertsRequest extends PageRequest(ALERT_LISTING) {
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
}
