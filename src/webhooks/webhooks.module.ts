import { Module } from '@nestjs/common';

/** Outgoing webhooks (README, "Webhooks"): a durable outbox, Standard Webhooks signing, retries with backoff. */
@Module({})
export class WebhooksModule {}
