import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { unhandled } from '../../../ledger/commands/decider';
import type { RecordedEvent } from '../../../ledger/event-log.port';
import { Projection, ReadModelProjection } from '../../../ledger/projections/projection';
import {
  DELETION_REQUEST_EVENT_TYPES,
  type DeletionRequestEvent,
} from '../../deletion-request.events';

/** `deletion_requests`: one row per request, its newest status, assessment and fulfilment. */
@Injectable()
@ReadModelProjection()
export class DeletionRequestProjection implements Projection {
  readonly name = 'deletion-requests';
  readonly eventTypes = DELETION_REQUEST_EVENT_TYPES;
  readonly tables = ['deletion_requests'];

  async apply(recorded: RecordedEvent, manager: EntityManager): Promise<void> {
    const event = { type: recorded.type, data: recorded.data } as DeletionRequestEvent;
    const revision = recorded.revision.toString();
    // Each statement is guarded by the stream revision, so replaying an applied event is a no-op.
    switch (event.type) {
      case 'DeletionRequested': {
        const { requestId, subjectRef, receivedOn, dueOn, channel, requestedBy, requestedAt } =
          event.data;
        await manager.query(
          `INSERT INTO deletion_requests
             (id, subject_ref, received_on, due_on, channel, status, requested_by, requested_at, last_revision)
           VALUES ($1, $2, $3, $4, $5, 'open', $6, $7, $8)
           ON CONFLICT (id) DO NOTHING`,
          [requestId, subjectRef, receivedOn, dueOn, channel, requestedBy, requestedAt, revision],
        );
        return;
      }
      case 'DeletionAssessed': {
        const { requestId, affected, notes, assessedBy, assessedAt } = event.data;
        await manager.query(
          `UPDATE deletion_requests
           SET status = 'assessed', affected = $2::jsonb, notes = $3, assessed_by = $4,
               assessed_at = $5, last_revision = $6
           WHERE id = $1 AND last_revision < $6`,
          [requestId, JSON.stringify(affected), notes, assessedBy, assessedAt, revision],
        );
        return;
      }
      case 'DeletionFulfilled': {
        // What each replacement and retraining replaces, what each exception covers and how
        // every item was accounted for are kept as recorded: absent before they existed.
        const { requestId, fulfilledBy, fulfilledAt, ...fulfilment } = event.data;
        await manager.query(
          `UPDATE deletion_requests
           SET status = 'fulfilled', fulfilment = $2::jsonb, fulfilled_by = $3, fulfilled_at = $4,
               last_revision = $5
           WHERE id = $1 AND last_revision < $5`,
          [requestId, JSON.stringify(fulfilment), fulfilledBy, fulfilledAt, revision],
        );
        return;
      }
      default:
        return unhandled(event);
    }
  }
}
