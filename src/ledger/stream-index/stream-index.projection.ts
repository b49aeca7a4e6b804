import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { RecordedEvent } from '../event-log.port';
import { Projection, ReadModelProjection } from '../projections/projection';

/** The per-stream index: every event type, so it also proves the runner end to end. */
@Injectable()
@ReadModelProjection()
export class StreamIndexProjection implements Projection {
  readonly name = 'stream-index';
  readonly tables = ['stream_index'];

  async apply(event: RecordedEvent, manager: EntityManager): Promise<void> {
    // Upsert guarded by revision, so replaying an event already counted changes nothing.
    await manager.query(
      `INSERT INTO stream_index (stream, event_count, last_revision, last_event_id, last_event_type, last_hash, last_position, last_recorded_at)
       VALUES ($1, 1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (stream) DO UPDATE SET
         event_count = stream_index.event_count + 1,
         last_revision = EXCLUDED.last_revision,
         last_event_id = EXCLUDED.last_event_id,
         last_event_type = EXCLUDED.last_event_type,
         last_hash = EXCLUDED.last_hash,
         last_position = EXCLUDED.last_position,
         last_recorded_at = EXCLUDED.last_recorded_at
       WHERE stream_index.last_revision < EXCLUDED.last_revision`,
      [
        event.stream,
        event.revision.toString(),
        event.id,
        event.type,
        event.metadata.integrity.hash,
        event.position,
        event.recordedAt,
      ],
    );
  }
}
