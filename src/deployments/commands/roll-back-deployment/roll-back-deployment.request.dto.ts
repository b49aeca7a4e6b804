import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsString, MaxLength, MinLength } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

export class RollBackDeploymentRequest {
  @ApiProperty({ example: 'approval rate fell 9 points in the canary' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  reason!: string;

  @ApiPropertyOptional({
    default: false,
    description: 'True when a monitor rolled back on its own, without a person deciding',
  })
  @Optional()
  @IsBoolean()
  automatic?: boolean;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
