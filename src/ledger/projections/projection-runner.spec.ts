import type { DiscoveryService } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import type { EventLog } from '../event-log.port';
import { ProjectionRunner } from './projection-runner';

/** A runner with no projections whose database and event log fail (or hang) every query. */
function runnerWhoseFaultsCannotBeRead(query: () => Promise<unknown>): ProjectionRunner {
  const dataSource = { query, manager: { query } } as unknown as DataSource;
  const discovery = { getProviders: () => [] } as unknown as DiscoveryService;
  const eventLog = { headPosition: query } as unknown as EventLog;
  return new ProjectionRunner(eventLog, dataSource, discovery, 10);
}

describe('ProjectionRunner when the open faults cannot be read', () => {
  const databaseDown = () =>
    Promise.reject(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));

  it('starts anyway (the service boots)', async () => {
    await expect(runnerWhoseFaultsCannotBeRead(databaseDown).start()).resolves.toBeUndefined();
  });

  it('starts anyway when the read takes longer than it may wait', async () => {
    const hanging = () => new Promise<unknown>(() => undefined);
    await expect(runnerWhoseFaultsCannotBeRead(hanging).start()).resolves.toBeUndefined();
  });

  it('returns the results of a rebuild it has done', async () => {
    await expect(runnerWhoseFaultsCannotBeRead(databaseDown).rebuild()).resolves.toEqual([]);
  });
});
