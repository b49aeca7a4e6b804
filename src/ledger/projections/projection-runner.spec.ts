import type { DiscoveryService } from '@nestjs/core';
import type { DataSource } from 'typeorm';
import type { EventLog } from '../event-log.port';
import type { Projection } from './projection';
import { LeaseLost, ProjectionLeases } from './projection-leases';
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

describe('ProjectionRunner with leases held elsewhere', () => {
  const projection: Projection = { name: 'held-elsewhere', tables: [], applyPage: async () => {} };
  const leases: ProjectionLeases = {
    acquire: async () => new Set<string>(),
    fence: async (_manager, name) => {
      throw new LeaseLost(name);
    },
    release: async () => {},
  };
  const runner = () => {
    const query = () => Promise.resolve([]);
    const dataSource = { query, manager: { query } } as unknown as DataSource;
    const discovery = {
      getProviders: () => [{ instance: projection }],
    } as unknown as DiscoveryService;
    const eventLog = { headPosition: async () => undefined } as unknown as EventLog;
    return new ProjectionRunner(eventLog, dataSource, discovery, 10, leases);
  };

  it('refuses to rebuild a projection another projector runs, naming it', async () => {
    await expect(runner().rebuild(['held-elsewhere'])).rejects.toThrow(
      /projection held-elsewhere is run by another projector/,
    );
  });

  it('shows a projection it could not take as standby, and reports itself caught up', async () => {
    const standby = runner();
    await standby.start();
    try {
      expect(standby.status()).toEqual([
        expect.objectContaining({ name: 'held-elsewhere', state: 'standby' }),
      ]);
      await expect(standby.caughtUp()).resolves.toEqual(expect.any(Number));
    } finally {
      await standby.stop();
    }
  });
});
