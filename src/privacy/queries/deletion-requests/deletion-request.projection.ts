import { Injectable } from '@nestjs/common';
import { newestBy, recordset } from '../../../ledger/projections/batching';
import {
  DeclaredProjection,
  type Handlers,
  ReadModelProjection,
} from '../../../ledger/projections/projection';
import type { DeletionRequestEvent } from '../../deletion-request.events';

/**
 * `deletion_requests`: one row per request, its newest status, assessment and fulfilment. Each
 * statement is guarded by the stream revision, so replaying an applied event is a no-op; a run of
 * one event type is one statement.
 */
@Injectable()
@ReadModelProjection()
export class DeletionRequestProjection extends DeclaredProjection<DeletionRequestEvent> {
  readonly name = 'deletion-requests';
  readonly tables = ['deletion_requests'];

  protected readonly handlers: Handlers<DeletionRequestEvent> = {
    DeletionRequested: async (events, { manager }) => {
      const rows = events.map(({ revision, data: d }) => ({
        id: d.requestId,
        subject_ref: d.subjectRef,
        received_on: d.receivedOn,
        due_on: d.dueOn,
        channel: d.channel,
        requested_by: d.requestedBy,
        requested_at: d.requestedAt,
        last_revision: revision,
      }));
      await manager.query(
        `INSERT INTO deletion_requests (id, subject_ref, received_on, due_on, channel, status,
           requested_by, requested_at, last_revision)
         SELECT id, subject_ref, received_on, due_on, channel, 'open', requested_by,
           requested_at, last_revision
         FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, subject_ref text, received_on date,
           due_on date, channel text, requested_by text, requested_at timestamptz,
           last_revision bigint)
         ON CONFLICT (id) DO NOTHING`,
        [recordset(rows)],
      );
    },

    DeletionAssessed: async (events, { manager }) => {
      const rows = newestBy(events, (event) => event.data.requestId).map(
        ({ revision, data: d }) => ({
          id: d.requestId,
          affected: d.affected,
          notes: d.notes,
          assessed_by: d.assessedBy,
          assessed_at: d.assessedAt,
          revision,
        }),
      );
      await manager.query(
        `UPDATE deletion_requests
         SET status = 'assessed', affected = a.affected, notes = a.notes,
           assessed_by = a.assessed_by, assessed_at = a.assessed_at, last_revision = a.revision
         FROM jsonb_to_recordset($1::jsonb) AS a(id uuid, affected jsonb, notes text,
           assessed_by text, assessed_at timestamptz, revision bigint)
         WHERE deletion_requests.id = a.id AND deletion_requests.last_revision < a.revision`,
        [recordset(rows)],
      );
    },

    DeletionFulfilled: async (events, { manager }) => {
      const rows = newestBy(events, (event) => event.data.requestId).map(({ revision, data }) => {
        // What each replacement and retraining replaces, what each exception covers and how
        // every item was accounted for are kept as recorded: absent before they existed.
        const { requestId, fulfilledBy, fulfilledAt, ...fulfilment } = data;
        return {
          id: requestId,
          fulfilment,
          fulfilled_by: fulfilledBy,
          fulfilled_at: fulfilledAt,
          revision,
        };
      });
      await manager.query(
        `UPDATE deletion_requests
         SET status = 'fulfilled', fulfilment = f.fulfilment, fulfilled_by = f.fulfilled_by,
           fulfilled_at = f.fulfilled_at, last_revision = f.revision
         FROM jsonb_to_recordset($1::jsonb) AS f(id uuid, fulfilment jsonb, fulfilled_by text,
           fulfilled_at timestamptz, revision bigint)
         WHERE deletion_requests.id = f.id AND deletion_requests.last_revision < f.revision`,
        [recordset(rows)],
      );
    },
  };
}
