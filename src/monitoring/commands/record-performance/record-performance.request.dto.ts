import { ApiProperty } from '@nestjs/swagger';
import { IsBoolean, Matches } from 'class-validator';
import { METRIC, SignalRequest } from '../signal.request.dto';

export class RecordPerformanceRequest extends SignalRequest {
  @ApiProperty({ example: 'auc', description: 'The performance metric measured' })
  @Matches(METRIC, { message: 'metric must be a metric name (letters, digits, _ . : / @ -)' })
  metric!: string;

  @ApiProperty({
    example: true,
    description:
      'true when a higher value is better (auc): below the threshold is a breach; false (error rate): above it is',
  })
  @IsBoolean()
  higherIsBetter!: boolean;
}
