import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  Matches,
  Validate,
  type ValidationArguments,
  ValidatorConstraint,
  type ValidatorConstraintInterface,
} from 'class-validator';
import {
  ENVIRONMENT,
  ENVIRONMENT_HINT,
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  UUID,
  VERSION,
  VERSION_HINT,
} from '../../../ledger/commands/identifiers';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import type { DeploymentStrategy } from '../../deployment.events';
import { NestedObject, Optional } from '../../../ledger/http/validation';

const STRATEGIES: DeploymentStrategy[] = ['full', 'canary'];

/** A canary names its share of traffic; a full rollout takes it all and names none. */
@ValidatorConstraint({ name: 'canaryPercentFitsStrategy' })
class CanaryPercentFitsStrategy implements ValidatorConstraintInterface {
  validate(value: unknown, args: ValidationArguments): boolean {
    const { strategy } = args.object as DeployModelRequest;
    if (strategy !== 'canary') return value === undefined || value === null;
    return typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 99;
  }

  defaultMessage(args: ValidationArguments): string {
    return (args.object as DeployModelRequest).strategy === 'canary'
      ? 'canaryPercent must be an integer from 1 to 99 for a canary'
      : 'canaryPercent is given only with strategy canary';
  }
}

export class DeployModelRequest {
  @ApiProperty({ example: 'credit-risk', description: RESOURCE_NAME_HINT })
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model!: string;

  @ApiProperty({ example: '1.4.0', description: `A registered version: ${VERSION_HINT}` })
  @Matches(VERSION, { message: `version must be ${VERSION_HINT}` })
  version!: string;

  @ApiProperty({ example: 'production', description: ENVIRONMENT_HINT })
  @Matches(ENVIRONMENT, { message: `environment must be ${ENVIRONMENT_HINT}` })
  environment!: string;

  @ApiProperty({ enum: STRATEGIES, description: 'full: all traffic; canary: canaryPercent of it' })
  @IsIn(STRATEGIES, { message: 'strategy must be full or canary' })
  strategy!: DeploymentStrategy;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    maximum: 99,
    example: 10,
    description: 'Share of traffic, required with strategy canary and refused otherwise',
  })
  @Validate(CanaryPercentFitsStrategy)
  canaryPercent?: number;

  @ApiPropertyOptional({
    format: 'uuid',
    description:
      'A granted approval of this version for this environment: required in production, and for a caller deploying as a pipeline',
  })
  @Optional()
  @Matches(UUID, { message: 'approvalId must be a lower-case UUID' })
  approvalId?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
