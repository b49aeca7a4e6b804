import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsString,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import {
  SHA256_DIGEST,
  SHA256_DIGEST_HINT,
  UUID,
  VERSION,
  VERSION_HINT,
} from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import {
  DECISION_CLASSES,
  type DecisionClass,
  RISK_TIERS,
  type RiskTier,
} from '../../model.events';
import { NestedObject, Optional } from '../../../ledger/http/validation';

export const PERSONAL_INFORMATION_KIND = /^[a-z][a-z0-9-]{0,47}$/;
export const PERSONAL_INFORMATION_KIND_HINT =
  'lower-case kinds such as financial, contact, identity';

export class RegisterModelVersionRequest {
  @ApiProperty({ example: '1.4.0', description: VERSION_HINT })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;

  @ApiProperty({ format: 'uuid', description: 'The completed training run that produced it' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
  @Matches(UUID, { message: 'runId must be a training run id (a UUID)' })
  runId!: string;

  @ApiPropertyOptional({
    example: `sha256:${'5e'.repeat(32)}`,
    description: `${SHA256_DIGEST_HINT}; defaults to the run's artifact digest and, if given, must equal it`,
  })
  @Optional()
  @Matches(SHA256_DIGEST, { message: `artifactDigest must be ${SHA256_DIGEST_HINT}` })
  artifactDigest?: string;

  @ApiProperty({ enum: RISK_TIERS })
  @IsIn(RISK_TIERS, { message: `riskTier must be one of ${RISK_TIERS.join(', ')}` })
  riskTier!: RiskTier;

  @ApiProperty({
    enum: DECISION_CLASSES,
    description: 'How far decisions about people rest on the model',
  })
  @IsIn(DECISION_CLASSES, {
    message: `decisionClass must be one of ${DECISION_CLASSES.join(', ')}`,
  })
  decisionClass!: DecisionClass;

  @ApiProperty({
    type: [String],
    example: ['financial', 'identity'],
    description: `Kinds of personal information it uses (may be empty): ${PERSONAL_INFORMATION_KIND_HINT}`,
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @Matches(PERSONAL_INFORMATION_KIND, {
    each: true,
    message: `each of personalInformationKinds must be one of the ${PERSONAL_INFORMATION_KIND_HINT}`,
  })
  personalInformationKinds!: string[];

  @ApiProperty({ example: 'approve or refer a consumer credit application' })
  @IsString()
  @MinLength(1)
  @MaxLength(1000)
  decisions!: string;

  @ApiProperty({ example: 'consumer credit applications up to $50k' })
  @IsString()
  @MinLength(1)
  @MaxLength(4000)
  intendedUse!: string;

  @ApiProperty({ type: [String], example: ['not validated for business lending'] })
  @IsArray()
  @ArrayMaxSize(100)
  @IsString({ each: true })
  @MinLength(1, { each: true })
  @MaxLength(1000, { each: true })
  limitations!: string[];

  @ApiProperty({ example: 'head-of-credit-risk', description: 'The named accountable owner' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  owner!: string;

  @ApiPropertyOptional({ example: 'Acme Scoring Pty Ltd', description: 'Omit for in-house models' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  vendor?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
