import { ApiProperty } from '@nestjs/swagger';

export class WebhookView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'https://pipelines.bank.example/hooks/attest' })
  url!: string;

  @ApiProperty({ type: [String], example: ['RetrainingTriggered'] })
  eventTypes!: string[];

  @ApiProperty({ type: String, nullable: true, example: 'retraining pipeline' })
  description!: string | null;

  @ApiProperty({ example: 'ada' })
  createdBy!: string;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
}

export class WebhookCreated extends WebhookView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description:
      'The signing secret (Standard Webhooks): shown in this answer only; receivers verify webhook-signature with it',
  })
  secret!: string;
}

/** Every subscription (configuration, a handful): not a paged list. */
export class WebhookList {
  @ApiProperty({ type: [WebhookView] })
  webhooks!: WebhookView[];
}

export class WebhookAttemptView {
  @ApiProperty({ example: 1 })
  attempt!: number;

  @ApiProperty({ format: 'date-time' })
  startedAt!: string;

  @ApiProperty({ example: 42 })
  durationMs!: number;

  @ApiProperty({
    type: Number,
    nullable: true,
    example: 500,
    description: 'The receiver’s HTTP status',
  })
  statusCode!: number | null;

  @ApiProperty({
    type: String,
    nullable: true,
    example: 'ECONNREFUSED',
    description: 'Why no answer came: timeout or the network error’s code',
  })
  error!: string | null;

  @ApiProperty({ enum: ['delivered', 'retry', 'failed'] })
  outcome!: 'delivered' | 'retry' | 'failed';

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  nextAttemptAt!: string | null;
}

export class WebhookDeliveryView {
  @ApiProperty({
    format: 'uuid',
    description: 'The webhook-id header: the same on every attempt, for receivers to deduplicate',
  })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  eventId!: string;

  @ApiProperty({ example: 'RetrainingTriggered' })
  eventType!: string;

  @ApiProperty({ enum: ['pending', 'delivered', 'failed', 'cancelled'] })
  status!: 'pending' | 'delivered' | 'failed' | 'cancelled';

  @ApiProperty({ example: 2 })
  attempts!: number;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  nextAttemptAt!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt!: string;

  @ApiProperty({ type: String, nullable: true, format: 'date-time' })
  finishedAt!: string | null;

  @ApiProperty({ type: [WebhookAttemptView], description: 'Every attempt, oldest first' })
  log!: WebhookAttemptView[];
}

/** The newest deliveries of one webhook, up to `limit`: a log, not a paged list. */
export class WebhookDeliveryList {
  @ApiProperty({ type: [WebhookDeliveryView], description: 'Newest first' })
  deliveries!: WebhookDeliveryView[];
}
