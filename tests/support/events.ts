import { v7 as uuidv7 } from 'uuid';
import type { EventLog, LedgerPosition, NewEvent } from '../../src/ledger/event-log.port';
import type { TestApp } from './test-app';

/**
 * A plausible event of a type no capability projects (`LedgerProbeRecorded`), so ledger-level
 * tests can append it freely under the running app; `overrides` pin whatever a test needs fixed.
 */
export function newEvent(overrides: Partial<NewEvent> = {}): NewEvent {
  const id = overrides.id ?? uuidv7();
  return {
    id,
    type: 'LedgerProbeRecorded',
    data: { name: 'loans', version: '1', contentHash: `sha256:${'ab'.repeat(32)}`, rows: 1000 },
    metadata: {
      schemaVersion: 1,
      occurredAt: '2026-11-27T00:00:00.000Z',
      actor: { sub: 'pipeline-ci', roles: ['pipeline'] },
      correlationId: id,
      causationId: id,
      source: { tool: 'jest' },
    },
    ...overrides,
  };
}

export function newEvents(count: number, overrides: Partial<NewEvent> = {}): NewEvent[] {
  return Array.from({ length: count }, (_, index) =>
    newEvent({ ...overrides, data: { ...(overrides.data ?? { name: 'loans' }), index } }),
  );
}

/**
 * Resolves once every event up to `position` can be read in global order. On PostgreSQL an
 * append is readable there only when every older transaction in the cluster has ended, which
 * other test files running in parallel can delay.
 */
export async function settled(log: EventLog, position: LedgerPosition): Promise<void> {
  const subscription = log.subscribe({ filter: { eventTypes: [] } });
  try {
    for await (const message of subscription) {
      if (message.kind === 'checkpoint' && log.comparePositions(message.position, position) >= 0)
        return;
    }
  } finally {
    await subscription.close();
  }
}

/**
 * Resolves once every event up to `position` can be read in global order (`settled`) and then
 * with what the app's projections answer on whether they have applied it within `timeoutMs`.
 */
export async function caughtUp(
  test: Pick<TestApp, 'eventLog' | 'runner'>,
  position: LedgerPosition,
  timeoutMs = 10_000,
): Promise<boolean> {
  await settled(test.eventLog, position);
  return test.runner.waitFor(position, timeoutMs);
}
