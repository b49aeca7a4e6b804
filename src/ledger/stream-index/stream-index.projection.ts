import { Injectable } from '@nestjs/common';
import type { RecordedEvent } from '../event-log.port';
import {
  type Projection,
  type ProjectionContext,
  ReadModelProjection,
} from '../projections/projection';

/**
 * The per-stream index: every event type, so it also proves the runner end to end. A page is
 * one upsert: per stream, how many of its events the page holds and the newest of them.
 */
@Injectable()
@ReadModelProjection()
export class StreamIndexProjection implements Projection {
  readonly name = 'stream-index';
  readonly tables = ['stream_index'];

  async applyPage(events: readonly RecordedEvent[], { manager }: ProjectionContext): Promise<void> {
    if (events.length === 0) return;
    const streams = new Map<string, { count: number; last: RecordedEvent }>();
    for (const event of events) {
      const seen = streams.get(event.stream);
      if (!seen) streams.set(event.stream, { count: 1, last: event });
      else {
        seen.count++;
        if (event.revision > seen.last.revision) seen.last = event;
      }
    }
    const rows = [...streams.values()];
    // Guarded by revision, so events already counted (a page applied again) change nothing: a
    // stream's revisions follow one another, so of the `count` up to `last_revision`, those
    // past the stored last_revision are the new ones.
    await manager.query(
      `INSERT INTO stream_index (stream, event_count, last_revision, last_event_id, last_event_type,
         last_hash, last_position, last_recorded_at)
       SELECT * FROM unnest($1::text[], $2::bigint[], $3::bigint[], $4::uuid[], $5::text[],
                            $6::text[], $7::text[], $8::timestamptz[])
       ON CONFLICT (stream) DO UPDATE SET
         event_count = stream_index.event_count
           + LEAST(EXCLUDED.event_count, EXCLUDED.last_revision - stream_index.last_revision),
         last_revision = EXCLUDED.last_revision,
         last_event_id = EXCLUDED.last_event_id,
         last_event_type = EXCLUDED.last_event_type,
         last_hash = EXCLUDED.last_hash,
         last_position = EXCLUDED.last_position,
         last_recorded_at = EXCLUDED.last_recorded_at
       WHERE stream_index.last_revision < EXCLUDED.last_revision`,
      [
        rows.map((row) => row.last.stream),
        rows.map((row) => row.count),
        rows.map((row) => row.last.revision.toString()),
        rows.map((row) => row.last.id),
        rows.map((row) => row.last.type),
        rows.map((row) => row.last.metadata.integrity.hash),
        rows.map((row) => row.last.position),
        rows.map((row) => row.last.recordedAt.toISOString()),
      ],
    );
  }
}
