import { IsIn, IsString, Matches, MaxLength } from 'class-validator';
import { ENVIRONMENT, ENVIRONMENT_HINT } from '../../ledger/commands/identifiers';
import { Optional } from '../../ledger/http/validation';
import { validated } from '../console-write';
import { RISK_TIERS, type RiskTier } from '../../model-registry/model.events';
import {
  MODEL_VERSION_STATUSES,
  type ModelVersionStatus,
} from '../../model-registry/queries/model-registry/version-status';

/** The inventory's filters (README, "Console"): each optional, an empty field meaning any. */
export class InventoryFilterRequest {
  @Optional()
  @IsString()
  @MaxLength(100, { message: 'q must be at most 100 characters' })
  q?: string;

  @Optional()
  @IsIn(RISK_TIERS, { message: `riskTier must be one of ${RISK_TIERS.join(', ')}` })
  riskTier?: RiskTier;

  @Optional()
  @IsIn(MODEL_VERSION_STATUSES, {
    message: `stage must be one of ${MODEL_VERSION_STATUSES.join(', ')}`,
  })
  stage?: ModelVersionStatus;

  @Optional()
  @Matches(ENVIRONMENT, { message: `environment must be ${ENVIRONMENT_HINT}` })
  environment?: string;
}

const FIELDS = ['q', 'riskTier', 'stage', 'environment'] as const;

/** The filters of a request's query string, validated (400 naming each field at fault). */
export async function inventoryFilter(query: URLSearchParams): Promise<InventoryFilterRequest> {
  const fields: Record<string, string> = {};
  for (const field of FIELDS) {
    const value = query.get(field)?.trim();
    if (value) fields[field] = value;
  }
  return validated(InventoryFilterRequest, fields, 'query');
}
