import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import type { Listing } from '../../../ledger/queries/paging/listing';
import { PageRequest } from '../../../ledger/queries/paging/page-request';
import {
  DECISION_CLASSES,
  type DecisionClass,
  RISK_TIERS,
  type RiskTier,
} from '../../model.events';

export const MODEL_LISTING = {
  sorts: {
    name: [{ expr: 'm.name', type: 'text', field: 'name' }],
    createdAt: [
      { expr: 'm.createdAt', type: 'timestamptz', field: 'createdAt' },
      { expr: 'm.name', type: 'text', field: 'name' },
    ],
    updatedAt: [
      { expr: 'm.updatedAt', type: 'timestamptz', field: 'updatedAt' },
      { expr: 'm.name', type: 'text', field: 'name' },
    ],
  },
  defaultSort: 'name',
  range: { expr: 'm.updatedAt', type: 'timestamptz', name: 'updatedAt (its last recorded change)' },
} as const satisfies Listing;

export class ListModelsRequest extends PageRequest(MODEL_LISTING) {
  @ApiPropertyOptional({
    enum: RISK_TIERS,
    description: 'Only models whose latest version has this risk tier',
  })
  @IsOptional()
  @IsIn(RISK_TIERS, { message: `riskTier must be one of ${RISK_TIERS.join(', ')}` })
  riskTier?: RiskTier;

  @ApiPropertyOptional({
    enum: DECISION_CLASSES,
    description: 'Only models whose latest version has this decision class',
  })
  @IsOptional()
  @IsIn(DECISION_CLASSES, {
    message: `decisionClass must be one of ${DECISION_CLASSES.join(', ')}`,
  })
  decisionClass?: DecisionClass;
}
