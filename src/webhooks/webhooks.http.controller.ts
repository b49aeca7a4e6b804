import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProperty,
  ApiPropertyOptional,
  ApiTags,
} from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, Matches, Max, Min } from 'class-validator';
import { Allow, CurrentActor } from '../auth/access.decorators';
import { UUID } from '../ledger/commands/identifiers';
import type { Actor } from '../ledger/event-log.port';
import { ApiProblems } from '../ledger/http/api-problems.decorator';
import { ApiRead } from '../ledger/http/api-read.decorator';
import { Optional } from '../ledger/http/validation';
import { CreateWebhookRequest } from './create-webhook.request.dto';
import { WebhookSubscriptions } from './webhook-subscriptions';
import { WebhookCreated, WebhookDeliveryList, WebhookList } from './webhook.view';

export class WebhookPath {
  @ApiProperty({ format: 'uuid' })
  @Matches(UUID, { message: 'id must be a webhook id (a lower-case UUID)' })
  id!: string;
}

const DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'cancelled'];

export class ListDeliveriesRequest {
  @ApiPropertyOptional({ enum: DELIVERY_STATUSES })
  @Optional()
  @IsIn(DELIVERY_STATUSES, { message: `status must be one of ${DELIVERY_STATUSES.join(', ')}` })
  status?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 1000, default: 100 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;
}

/** Outgoing webhooks (README, "Webhooks"): configuration with secrets, for admins only. */
@ApiTags('webhooks')
@Allow('admin')
@Controller('webhooks')
export class WebhooksHttpController {
  constructor(private readonly subscriptions: WebhookSubscriptions) {}

  @Post()
  @ApiOperation({
    summary: 'Subscribe a URL to event types; the answer holds the signing secret, shown once',
    description:
      'Each event of those types recorded from now on is POSTed to the URL as a thin JSON payload {id, type, stream, ledgerPosition, occurredAt} signed with Standard Webhooks headers (webhook-id, webhook-timestamp, webhook-signature). A URL that is not http or https, or an unknown event type, is a 400 naming the field.',
  })
  @ApiCreatedResponse({ type: WebhookCreated })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Retry-safe: the same key and body answer the first subscription again (its secret included) and make no other; the same key with another body is a 422. Scoped to the caller.',
  })
  @ApiProblems(400, 401, 403, 422)
  create(
    @Body() body: CreateWebhookRequest,
    @CurrentActor() actor: Actor,
  ): Promise<WebhookCreated> {
    return this.subscriptions.create(body, actor.sub);
  }

  @Get()
  @ApiOperation({ summary: 'The subscriptions (without their secrets)' })
  @ApiRead()
  @ApiOkResponse({ type: WebhookList })
  async list(): Promise<WebhookList> {
    return { webhooks: await this.subscriptions.list() };
  }

  @Get(':id/deliveries')
  @ApiOperation({
    summary: 'A subscription’s delivery log, newest first: each delivery with every attempt',
  })
  @ApiRead(404)
  @ApiOkResponse({ type: WebhookDeliveryList })
  async deliveries(
    @Param() { id }: WebhookPath,
    @Query() query: ListDeliveriesRequest,
  ): Promise<WebhookDeliveryList> {
    return {
      deliveries: await this.subscriptions.deliveries(id, {
        status: query.status,
        limit: query.limit ?? 100,
      }),
    };
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Unsubscribe: deliveries not yet made are cancelled',
    description:
      'Idempotent: deleting a deleted subscription again answers 204 too; an id never subscribed is 404.',
  })
  @ApiNoContentResponse()
  @ApiProblems(400, 401, 403, 404)
  async delete(@Param() { id }: WebhookPath, @CurrentActor() actor: Actor): Promise<void> {
    await this.subscriptions.delete(id, actor.sub);
  }
}
