import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

export class WithdrawApprovalRequest {
  @ApiPropertyOptional({ example: 'A new evaluation on the 2026-Q1 holdout is coming' })
  @Optional()
  @IsString()
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
