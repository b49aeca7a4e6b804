import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';

export class WithdrawApprovalRequest {
  @ApiPropertyOptional({ example: 'A new evaluation on the 2026-Q1 holdout is coming' })
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  reason?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceRequest)
  source?: SourceRequest;
}
