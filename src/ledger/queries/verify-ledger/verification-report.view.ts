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

export class VerificationReportView {
  @ApiProperty() ok!: boolean;
  @ApiProperty() eventsChecked!: number;
  @ApiProperty() streamsChecked!: number;
  @ApiProperty({ type: ChainMismatchView, nullable: true })
  firstMismatch!: ChainMismatchView | null;
  @ApiProperty() mismatchCount!: number;
  @ApiProperty({ type: String, nullable: true }) verifiedThrough!: string | null;
}
