import { Controller, Get, Inject, Param, Res } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiResponse, ApiTags } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Allow } from '../../auth/access.decorators';
import { ROLES } from '../../auth/roles';
import { ApiRead } from '../../ledger/http/api-read.decorator';
import { ReceiptProofs } from '../receipt-proofs';
import { ReceiptProofView } from './receipt-proof.view';

class ReceiptPath {
  @ApiProperty({ format: 'uuid', description: 'The receipt id a prediction answered with' })
  @IsUUID('all', { message: 'receiptId must be a receipt id (a UUID)' })
  receiptId!: string;
}

/** Decision receipts and their proofs (README, "Decision receipts"). */
@ApiTags('receipts')
@Controller('receipts')
export class ReceiptsHttpController {
  constructor(
    private readonly proofs: ReceiptProofs,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get(':receiptId')
  // Every reading role, and the scoring application that was handed the receipt.
  @Allow(...ROLES)
  @ApiOperation({
    summary: 'A decision receipt with its proof into its sealed batch and the ledger',
    description:
      "The receipt as stored, its hash, its RFC 9162 inclusion proof into the batch's Merkle root, and an evidence bundle citing the batch's PredictionBatchRecorded (which carries that root) with its inclusion proof into a signed checkpoint. Save the answer and check it offline with `npm run verify -- receipt.json`. A receipt not sealed yet answers status `pending` with no proof and a Retry-After header: ask again after the seal interval.",
  })
  @ApiRead(404)
  @ApiResponse({
    status: 500,
    description:
      'integrity-violation: the stored receipt or its batch no longer matches what was sealed; no proof is handed out',
  })
  @ApiOkResponse({ type: ReceiptProofView })
  async receipt(
    @Param() { receiptId }: ReceiptPath,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReceiptProofView> {
    const proof = await this.proofs.proof(receiptId);
    if (proof.status === 'pending') {
      const { sealIntervalMs } = this.config.receipts;
      reply.header('retry-after', String(Math.max(1, Math.ceil(sealIntervalMs / 1000))));
    }
    return proof as unknown as ReceiptProofView;
  }
}
