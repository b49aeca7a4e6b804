import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches, MaxLength } from 'class-validator';
import { UUID } from '../../ledger/commands/identifiers';
import { NestedArray } from '../../ledger/http/validation';

/** Outcomes per request at most. */
export const MAX_OUTCOMES = 10_000;

/** A label: a class name such as `default` or `repaid`, never free text about a person. */
export const OUTCOME_LABEL = /^[A-Za-z0-9][A-Za-z0-9 ._:-]{0,63}$/;
const LABEL_HINT =
  'a short class name: 1–64 letters, digits, spaces, dots, colons, hyphens or underscores';

export class OutcomeRequest {
  @ApiProperty({ format: 'uuid', description: 'The receipt id the prediction answered with' })
  @Matches(UUID, { message: 'receiptId must be a receipt id (a lower-case UUID)' })
  receiptId!: string;

  @ApiProperty({ example: 'default', description: `What happened: ${LABEL_HINT}` })
  @IsString({ message: 'label must be a string' })
  @MaxLength(64)
  @Matches(OUTCOME_LABEL, { message: `label must be ${LABEL_HINT}` })
  label!: string;
}

export class RecordOutcomesRequest {
  @ApiProperty({ type: [OutcomeRequest], maxItems: MAX_OUTCOMES, minItems: 1 })
  @NestedArray(() => OutcomeRequest, { min: 1, max: MAX_OUTCOMES })
  outcomes!: OutcomeRequest[];
}
