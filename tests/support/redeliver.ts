import type { DataSource } from 'typeorm';
import type { RecordedEvent } from '../../src/ledger/event-log.port';
import type { Projection } from '../../src/ledger/projections/projection';

/**
 * Delivers `events` again to each projection (those of its types, as one page in one
 * transaction), as a runner that lost its checkpoint would: a projection must change nothing.
 */
export async function redeliver(
  dataSource: DataSource,
  projections: readonly Projection[],
  events: readonly RecordedEvent[],
): Promise<void> {
  if (events.length === 0) return;
  const to = events[events.length - 1].position;
  await dataSource.transaction(async (manager) => {
    for (const projection of projections) {
      const types = projection.eventTypes;
      const mine = events.filter((event) => !types || types.includes(event.type));
      await projection.applyPage(mine, { manager, from: null, to, rebuilding: false });
    }
  });
}
