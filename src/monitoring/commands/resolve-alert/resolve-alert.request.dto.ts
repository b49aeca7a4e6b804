import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject } from '../../../ledger/http/validation';

export class ResolveAlertRequest {
  @ApiProperty({
    example: 'rolled back to 1.0.0; retraining on February data',
    description: 'How it was resolved; kept in the ledger, so name no person',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  resolution!: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
