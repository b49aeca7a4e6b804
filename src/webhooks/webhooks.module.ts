import { Module } from '@nestjs/common';
import { WebhookDeliverer } from './webhook-deliverer';
import { WebhookOutboxProjection } from './webhook-outbox.projection';
import { WebhookSubscriptions } from './webhook-subscriptions';
import { WebhooksHttpController } from './webhooks.http.controller';

/** Outgoing webhooks (README, "Webhooks"): a durable outbox, Standard Webhooks signing, retries with backoff. */
@Module({
  controllers: [WebhooksHttpController],
  providers: [WebhookSubscriptions, WebhookOutboxProjection, WebhookDeliverer],
  exports: [WebhookDeliverer],
})
export class WebhooksModule {}
