import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject, Optional } from '../../../ledger/http/validation';

export class RequestDeletionRequest {
  @ApiProperty({
    example: 'CUST-0042817',
    minLength: 1,
    maxLength: 256,
    description:
      'The data subject’s identifier (customer number, e-mail address, …). Never stored or logged: it is turned into an HMAC-SHA-256 subject ref at once. Leading and trailing spaces are ignored; case is kept, so send one canonical form per person.',
  })
  @IsString()
  @MinLength(1)
  @MaxLength(256)
  @Matches(/\S/, { message: 'subjectId must not be blank' })
  subjectId!: string;

  @ApiProperty({
    example: '2026-03-02',
    format: 'date',
    description: 'Date the request was received (not in the future); due 30 calendar days later',
  })
  @Matches(/^\d{4}-\d{2}-\d{2}$/, { message: 'receivedOn must be a date YYYY-MM-DD' })
  receivedOn!: string;

  @ApiPropertyOptional({ example: 'web form', maxLength: 64, description: 'How it arrived' })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(64)
  channel?: string;

  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
