import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class ReceiptBatchView {
  @ApiProperty({ format: 'uuid' })
  batchId!: string;

  @ApiProperty({ format: 'uuid', description: "The batch's PredictionBatchRecorded" })
  eventId!: string;

  @ApiProperty({ description: "The receipt's leaf index in the batch's tree" })
  leafIndex!: number;

  @ApiProperty({ description: 'Receipts in the batch' })
  count!: number;

  @ApiProperty({ description: "The batch's RFC 9162 Merkle root (hex), as its event carries it" })
  root!: string;

  @ApiProperty({ type: [String], description: 'Audit path from the receipt leaf to the root, hex' })
  proof!: string[];
}

export class ReceiptProofView {
  @ApiProperty({ example: 'attest-receipt-proof/1' })
  format!: string;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description:
      'The receipt as hashed: ids, deployment, model version, artifact digest, onnxruntime version, keyed input digest, score, threshold, decision, label, arm, request id, keyed subject reference, time',
  })
  receipt!: Record<string, unknown>;

  @ApiProperty({ description: "SHA-256 (hex) of the receipt's canonical JSON (RFC 8785)" })
  receiptHash!: string;

  @ApiProperty({ enum: ['sealed', 'pending'] })
  status!: 'sealed' | 'pending';

  @ApiPropertyOptional({ type: ReceiptBatchView, nullable: true })
  batch!: ReceiptBatchView | null;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      "An evidence bundle (attest-evidence-bundle/1) citing the batch's event with its inclusion proof into a signed checkpoint; null while pending",
  })
  evidence!: Record<string, unknown> | null;
}
