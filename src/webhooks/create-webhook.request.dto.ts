import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsString,
  IsUrl,
  MaxLength,
  MinLength,
} from 'class-validator';
import { EVENT_TYPES } from '../ledger/event-catalog';
import { Optional } from '../ledger/http/validation';

/** Every event type a subscription may name, and `*` for all of them. */
export const SUBSCRIBABLE = ['*', ...[...EVENT_TYPES].sort()];

export class CreateWebhookRequest {
  @ApiProperty({
    example: 'https://pipelines.bank.example/hooks/attest',
    description: 'Where deliveries are POSTed: an http or https URL',
  })
  @IsString()
  @MaxLength(2000)
  @IsUrl(
    {
      protocols: ['http', 'https'],
      require_protocol: true,
      require_tld: false,
      require_valid_protocol: true,
      disallow_auth: true,
    },
    { message: 'url must be an http or https URL (without a user name or password)' },
  )
  url!: string;

  @ApiProperty({
    type: [String],
    example: ['RetrainingTriggered', 'DeploymentRolledBack'],
    description: 'Event types to deliver (the event catalog’s names), or ["*"] for every event',
  })
  @IsArray({ message: 'eventTypes must be an array' })
  @ArrayMinSize(1)
  @ArrayMaxSize(100)
  @IsIn(SUBSCRIBABLE, {
    each: true,
    message: 'each of eventTypes must be an event type the ledger records, or *',
  })
  eventTypes!: string[];

  @ApiPropertyOptional({
    example: 'retraining pipeline',
    description: 'For the people who read the list',
  })
  @Optional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  description?: string;
}
