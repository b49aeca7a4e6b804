import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiHeader, ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/access.decorators';
import { DeploymentPath } from '../../deployments/deployment-path.request.dto';
import { ApiProblems } from '../../ledger/http/api-problems.decorator';
import { MAX_OUTCOMES, RecordOutcomesRequest } from './record-outcomes.request.dto';
import { ReceiptOutcomes } from './receipt-outcomes';

class OutcomesRecordedView {
  @ApiProperty({ example: 'credit-risk.production' })
  deploymentId!: string;

  @ApiProperty({ description: 'Outcomes in the request' })
  received!: number;

  @ApiProperty({ description: 'Receipts that had no outcome and now have one' })
  recorded!: number;

  @ApiProperty({ description: 'Receipts that already had the same outcome (a repeat)' })
  unchanged!: number;

  @ApiProperty({
    type: [String],
    example: [],
    description: 'Always empty: outcomes are stored on the receipts, never in the ledger',
  })
  eventIds!: [];
}

/** Ground truth joined to decision receipts (README, "Decision receipts"). */
@ApiTags('receipts')
@Controller('deployments')
export class OutcomesHttpController {
  constructor(private readonly outcomes: ReceiptOutcomes) {}

  @Post(':id/outcomes')
  @HttpCode(200)
  @Allow('pipeline')
  @ApiOperation({
    summary: 'Record what happened to decisions, by receipt id (ground truth)',
    description: `Up to ${MAX_OUTCOMES} outcomes, each the receipt id a prediction answered with and a short class label. Stored on the receipts only, never in the ledger (labels are about people); realised performance over a window is computed from them. All or nothing: a receipt that is not one of this deployment's is a 422 naming \`outcomes.<i>.receiptId\`; an outcome once recorded cannot be changed (409 naming \`outcomes.<i>.label\`); the same outcome again is a repeat.`,
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Retry-safe writes: the same key and body answer the first result again; the same key with another body is a 422. Scoped to the caller.',
  })
  @ApiOkResponse({ type: OutcomesRecordedView })
  @ApiProblems(400, 401, 403, 409, 422, 503)
  record(
    @Param() { id }: DeploymentPath,
    @Body() body: RecordOutcomesRequest,
  ): Promise<OutcomesRecordedView> {
    return this.outcomes.record(
      id,
      body.outcomes.map(({ receiptId, label }) => ({ receiptId, label })),
    );
  }
}
