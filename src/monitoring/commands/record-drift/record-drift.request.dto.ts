import { ApiProperty } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { FEATURE, METRIC, SignalRequest } from '../signal.request.dto';

export class RecordDriftRequest extends SignalRequest {
  @ApiProperty({ example: 'annual_income', description: 'The feature whose distribution moved' })
  @Matches(FEATURE, { message: 'feature must be a feature name (letters, digits, _ . : / -)' })
  feature!: string;

  @ApiProperty({
    example: 'psi',
    description: 'The drift statistic (psi, ks, …); higher means more drift',
  })
  @Matches(METRIC, { message: 'metric must be a metric name (letters, digits, _ . : / @ -)' })
  metric!: string;
}
