import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOptional, ValidateNested } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';

/** A promotion needs nothing but the deployment; where it came from may be recorded. */
export class PromoteDeploymentRequest {
  @ApiPropertyOptional({ type: SourceRequest })
  @IsOptional()
  @ValidateNested()
  @Type(() => SourceRequest)
  source?: SourceRequest;
}
