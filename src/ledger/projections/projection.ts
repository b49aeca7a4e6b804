import { DiscoveryService } from '@nestjs/core';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event-log.port';

/**
 * A read-model projection. `apply` runs inside the batch's transaction, together with the
 * checkpoint; it must upsert so a replay from zero ends with the same rows.
 */
export interface Projection {
  readonly name: string;
  /** The event types it handles (omitted: all); any other event only moves its checkpoint. */
  readonly eventTypes?: readonly string[];
  /** Tables it owns, emptied when it is rebuilt. */
  readonly tables: readonly string[];
  apply(event: RecordedEvent, manager: EntityManager): Promise<void>;
}

/** Marks a provider as a projection for the runner to find. */
export const ReadModelProjection = DiscoveryService.createDecorator<void>();
