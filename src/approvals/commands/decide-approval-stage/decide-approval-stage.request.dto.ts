import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsString, Matches, Max, MaxLength, Min, ValidateIf } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

export const DECISIONS = ['grant', 'reject'] as const;

export class DecideApprovalStageRequest {
  @ApiProperty({ enum: DECISIONS })
  @IsIn(DECISIONS, { message: `decision must be one of ${DECISIONS.join(', ')}` })
  decision!: (typeof DECISIONS)[number];

  @ApiPropertyOptional({
    minimum: 0,
    example: 0,
    description:
      'The stage decided (0-based). Defaults to the stage now pending; name it to be sure not to decide a later one after a race',
  })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(9)
  stage?: number;

  @ApiPropertyOptional({
    example: 'Back-test and fairness results reviewed; within appetite',
    description:
      'The reason for the decision. Required to reject, and to grant where the approval policy in force at request time requires it (by default for high-risk versions): a grant without one there is 422 grant-comment-required',
  })
  @ValidateIf(
    (request: DecideApprovalStageRequest) =>
      request.decision === 'reject' || request.comment !== undefined,
  )
  @IsString({ message: 'comment is required to reject, as text' })
  @Matches(/\S/, { message: 'comment must not be blank' })
  @MaxLength(2000)
  comment?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
