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

const TREE_MISMATCH_REASONS = [
  'leaf-mismatch',
  'missing-leaf',
  'unexpected-leaf',
  'subtree-mismatch',
  'missing-subtree',
  'unexpected-subtree',
  'stored-root-mismatch',
  'checkpoint-root-mismatch',
  'checkpoint-signature',
  'checkpoint-unknown',
  'checkpoint-row-mismatch',
  'checkpoint-row-missing',
  'checkpoint-row-unknown',
  'signing-key-row-mismatch',
  'signing-key-row-missing',
  'signing-key-row-unknown',
];

export class TreeMismatchView {
  @ApiProperty({
    enum: TREE_MISMATCH_REASONS,
    description:
      'Stable code of what is wrong: a row of a table of the integrity log that differs from what the events give (`*-mismatch`), is absent (`missing-*`, `*-row-missing`) or has no event behind it (`unexpected-*`, `*-row-unknown`); or a LedgerCheckpointSigned event whose root or signature does not hold',
  })
  reason!: string;
  @ApiProperty({
    enum: [
      'integrity_leaves',
      'integrity_subtrees',
      'ledger_checkpoints',
      'ledger_signing_keys',
      'ledger_events',
    ],
    description: 'Where it was found (ledger_events: the LedgerCheckpointSigned event itself)',
  })
  table!: string;
  @ApiProperty({
    description:
      'The leaf index (a leaf; a subtree’s first leaf; a signing key’s event, −1 when the row names none), or the tree size (a checkpoint, the stored root)',
  })
  at!: number;
  @ApiProperty({ type: Number, nullable: true, description: 'A subtree’s level (0: the leaves)' })
  level!: number | null;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'The row’s key: a subtree’s index at its level, a leaf’s index, a checkpoint’s tree size',
  })
  index!: number | null;
  @ApiProperty({ type: String, nullable: true, description: 'The column that differs' })
  column!: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) eventId!: string | null;
  @ApiProperty({ description: 'What the events give (a hash in hex for a node)' })
  expected!: string;
  @ApiProperty({ description: 'What is stored' }) actual!: string;
}

export class TreeReportView {
  @ApiProperty() ok!: boolean;
  @ApiProperty({ description: 'Leaves compared with the ledger’s events, every column' })
  leavesChecked!: number;
  @ApiProperty({
    description:
      'Stored complete subtrees, at every level (level 0 included), compared with the ones recomputed from the events’ hashes',
  })
  subtreesChecked!: number;
  @ApiProperty({
    description: 'LedgerCheckpointSigned events whose root and signature were checked',
  })
  checkpointsChecked!: number;
  @ApiProperty({ description: 'ledger_checkpoints rows compared with their events' })
  checkpointRowsChecked!: number;
  @ApiProperty({ description: 'ledger_signing_keys rows compared with their events' })
  signingKeyRowsChecked!: number;
  @ApiProperty({
    type: TreeMismatchView,
    nullable: true,
    description: 'The first problem found, in ledger order',
  })
  firstMismatch!: TreeMismatchView | null;
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
    description:
      'Every stored node of the integrity log (each leaf row, each complete subtree at every level, each checkpoint and signing-key row) and every signed checkpoint, checked against the same events',
  })
  tree!: TreeReportView;
}
