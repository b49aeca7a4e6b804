import { ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import {
  PERSONAL_INFORMATION_KIND,
  PERSONAL_INFORMATION_KIND_HINT,
} from '../register-model-version/register-model-version.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

/** The model card fields that may change after registration; name at least one. */
export class UpdateModelCardRequest {
  @ApiPropertyOptional({ example: 'consumer credit applications up to $80k' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  intendedUse?: string;

  @ApiPropertyOptional({ type: [String], example: ['not validated for business lending'] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(1000, { each: true })
  limitations?: string[];

  @ApiPropertyOptional({ example: 'chief-risk-officer' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  owner?: string;

  @ApiPropertyOptional({ example: 'approve or refer a consumer credit application' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  decisions?: string;

  @ApiPropertyOptional({ type: [String], example: ['financial'] })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(PERSONAL_INFORMATION_KIND, {
    each: true,
    message: `each of personalInformationKinds must be one of the ${PERSONAL_INFORMATION_KIND_HINT}`,
  })
  personalInformationKinds?: string[];

  @ApiPropertyOptional({ example: 'top-4 SHAP reason codes given with every decline' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  explainability?: string;

  @ApiPropertyOptional({ example: 'every referral reviewed by a credit officer' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  humanOversight?: string;

  @ApiPropertyOptional({ example: 'applicants are told a model assists the decision' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  consumerDisclosure?: string;

  @ApiPropertyOptional({ example: 'monthly drift and quarterly performance review' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  monitoringCadence?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
