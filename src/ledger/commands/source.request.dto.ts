import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, IsUrl, Matches, MaxLength } from 'class-validator';
import { Optional } from '../http/validation';

/** Where a write came from (docs/design.md §3 `source`): recorded in the event's metadata. */
export class SourceRequest {
  @ApiPropertyOptional({ example: 'https://ci.bank.example/pipelines/8812' })
  @Optional()
  @IsUrl({ require_tld: false })
  @MaxLength(500)
  runUrl?: string;

  @ApiPropertyOptional({ example: '3f9c2e1' })
  @Optional()
  @Matches(/^[0-9a-f]{7,64}$/, { message: 'gitCommit must be 7 to 64 lower-case hex digits' })
  gitCommit?: string;

  @ApiPropertyOptional({ example: 'airflow 2.10 / train_credit.py' })
  @Optional()
  @IsString()
  @MaxLength(200)
  tool?: string;
}
