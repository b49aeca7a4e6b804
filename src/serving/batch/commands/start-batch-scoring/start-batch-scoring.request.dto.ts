import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { REQUEST_ID, REQUEST_ID_HINT } from '../../../predict.request.dto';

/** The query of POST /deployments/{id}/batch-scoring. */
export class StartBatchScoringQuery {
  @ApiPropertyOptional({
    example: 'nightly-2026-03-01',
    description: `Routes a canary deployment for the whole job (the same id always lands on the same arm) and is every receipt's requestId (${REQUEST_ID_HINT}); default: the job's id`,
  })
  @IsOptional()
  @IsString()
  @Matches(REQUEST_ID, { message: `requestId must be ${REQUEST_ID_HINT}` })
  requestId?: string;

  @ApiPropertyOptional({
    example: 'application_id',
    description:
      "A column of the CSV holding each row's subject reference (a customer or application id): receipts keep its HMAC with the privacy pepper, never the value; an empty cell gives no subject reference",
  })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  subjectColumn?: string;
}
