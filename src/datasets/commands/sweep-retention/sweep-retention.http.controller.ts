import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { DatasetRetentionSchedule } from '../../dataset-retention-schedule';

export class RetentionSweepResult {
  @ApiProperty({
    type: [String],
    example: ['loan-applications@2019-01'],
    description: '`<name>@<version>` of each version whose data this sweep purged',
  })
  purged!: string[];

  @ApiProperty({ type: [String], description: 'The DatasetDataPurged events it appended' })
  eventIds!: string[];

  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'Ledger position of the last event appended (null: nothing purged). Send it as X-Ledger-Position to read the purged status',
  })
  ledgerPosition!: string | null;

  @ApiProperty({
    type: String,
    format: 'date-time',
    description: 'The instant retention was judged at',
  })
  sweptAt!: string;
}

@ApiTags('datasets')
@Controller('datasets')
export class SweepRetentionHttpController {
  constructor(private readonly schedule: DatasetRetentionSchedule) {}

  @Post('retention-sweeps')
  @HttpCode(201)
  @Allow('admin')
  @ApiOperation({
    summary:
      'Run the dataset retention sweep now: deletes each stored data file whose version’s retention (from its registration) has passed and records DatasetDataPurged; answers what it purged',
    description:
      'The service also sweeps every DATASET_SWEEP_INTERVAL_MS (hourly by default). One sweep runs at a time: a request made during a sweep waits for it, then sweeps itself.',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'Retry-safe: the same key answers the first sweep’s result again',
  })
  @ApiCreatedResponse({ type: RetentionSweepResult })
  @ApiProblems(401, 403, 503)
  sweep(): Promise<RetentionSweepResult> {
    return this.schedule.sweepNow();
  }
}
