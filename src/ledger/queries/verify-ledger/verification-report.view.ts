import { ApiProperty } from '@nestjs/swagger';

export class ChainMismatchView {
  @ApiProperty() stream!: string;
  @ApiProperty() revision!: number;
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() position!: string;
  @ApiProperty({ enum: ['hash-mismatch', 'broken-link', 'revision-gap'] }) reason!: string;
  @ApiProperty() expected!: string;
  @ApiProperty() actual!: string;
}

export class TreeMismatchView {
  @ApiProperty({
    enum: [
      'leaf-mismatch',
      'missing-leaf',
      'checkpoint-root-mismatch',
      'checkpoint-signature',
      'checkpoint-unknown',
      'stored-root-mismatch',
    ],
  })
  reason!: string;
  @ApiProperty({ description: 'The leaf index, or the tree size of the checkpoint or root' })
  at!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) eventId!: string | null;
  @ApiProperty() expected!: string;
  @ApiProperty() actual!: string;
}

export class TreeReportView {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Leaves compared with the ledger’s events' }) leavesChecked!: number;
  @ApiProperty({
    description: 'LedgerCheckpointSigned events whose root and signature were checked',
  })
  checkpointsChecked!: number;
  @ApiProperty({ type: TreeMismatchView, nullable: true }) firstMismatch!: TreeMismatchView | null;
  @ApiProperty() mismatchCount!: number;
}

export class VerificationReportView {
  @ApiProperty() ok!: boolean;
  @ApiProperty() eventsChecked!: number;
  @ApiProperty() streamsChecked!: number;
  @ApiProperty({ type: ChainMismatchView, nullable: true })
  firstMismatch!: ChainMismatchView | null;
  @ApiProperty() mismatchCount!: number;
  @ApiProperty({ type: String, nullable: true }) verifiedThrough!: string | null;
  @ApiProperty({
    type: TreeReportView,
    description: 'The integrity tree and signed checkpoints, checked against the same events',
  })
  tree!: TreeReportView;
}
