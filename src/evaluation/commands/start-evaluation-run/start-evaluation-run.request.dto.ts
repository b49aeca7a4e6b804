import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsNumber,
  IsObject,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  ENVIRONMENT,
  ENVIRONMENT_HINT,
  VERSION,
  VERSION_HINT,
} from '../../../ledger/commands/identifiers';
import { VersionRefRequest } from '../../../ledger/commands/version-ref.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

/** A dataset column's name, as the registered schema spells it. */
const COLUMN = { minLength: 1, maxLength: 128 } as const;

export class StartEvaluationRunRequest {
  @ApiProperty({
    type: VersionRefRequest,
    description: 'The holdout: a registered dataset version whose data is stored',
  })
  @NestedObject(() => VersionRefRequest)
  dataset!: VersionRefRequest;

  @ApiProperty({ example: 'default', description: 'The column holding the binary label' })
  @IsString()
  @MinLength(COLUMN.minLength)
  @MaxLength(COLUMN.maxLength)
  labelColumn!: string;

  @ApiProperty({
    example: '1',
    description:
      'The label value that counts as positive, as written in the file (a number too: "1")',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(128)
  positiveLabel!: string;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 1,
    default: 0.5,
    description: 'A score at or above it is a positive decision',
  })
  @Optional()
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  threshold?: number;

  @ApiPropertyOptional({
    type: [String],
    example: ['age_band', 'sex'],
    description:
      "Columns fairness is assessed against; default: the schema's fields marked protectedAttribute",
  })
  @Optional()
  @IsArray()
  @ArrayMaxSize(50)
  @IsString({ each: true })
  @MinLength(COLUMN.minLength, { each: true })
  @MaxLength(COLUMN.maxLength, { each: true })
  protectedAttributes?: string[];

  @ApiPropertyOptional({
    example: 'production',
    default: 'production',
    description: `The environment the version is meant for: its evaluation policy and its serving champion (${ENVIRONMENT_HINT})`,
  })
  @Optional()
  @Matches(ENVIRONMENT, { message: `environment must be ${ENVIRONMENT_HINT}` })
  environment?: string;

  @ApiPropertyOptional({
    type: String,
    nullable: true,
    example: '1.3.0',
    description:
      'A registered version of this model with a stored artifact to compare with (DeLong); default: the version serving the environment now; null: none',
  })
  @ValidateIf((_object, value) => value !== undefined && value !== null)
  @Matches(VERSION, { message: `champion must be ${VERSION_HINT}` })
  champion?: string | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: {
      oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }],
    },
    example: { features: ['income', 'debt_ratio', 'age', 'credit_history_months'] },
    description:
      'Model input → the column feeding it, or the columns in order for an [N, k] input; an input left out takes the column of the same name',
  })
  @Optional()
  @IsObject({ message: 'columns must be an object' })
  columns?: Record<string, unknown>;

  @ApiPropertyOptional({
    example: 'pipeline_score',
    description:
      "A column holding the pipeline's own score per row, compared with onnxruntime's (largest difference recorded)",
  })
  @Optional()
  @IsString()
  @MinLength(COLUMN.minLength)
  @MaxLength(COLUMN.maxLength)
  pipelineScoreColumn?: string;

  @ApiPropertyOptional({
    example: 'probability',
    description: "The tensor output read as the score; default: the stored artifact's scoreOutput",
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  scoreOutput?: string;
}
