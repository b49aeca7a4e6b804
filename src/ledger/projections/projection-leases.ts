import type { EntityManager } from 'typeorm';

/**
 * Which projections this process may run (README, "Projector role"). Among several projector
 * processes each projection is held by one; a standby takes it over once the holder dies.
 */
export interface ProjectionLeases {
  /**
   * Tries to take each named projection not held yet; resolves with every projection this process
   * holds now. Called again every few seconds by the runner, so a standby takes over.
   */
  acquire(names: readonly string[]): Promise<ReadonlySet<string>>;
  /**
   * Inside a page's transaction, before the checkpoint moves: throws LeaseLost unless this process
   * still holds `name` (a fence: a holder that lost its lease never commits a page).
   */
  fence(manager: EntityManager, name: string): Promise<void>;
  /** Gives the named projections (omitted: all) back, e.g. on shutdown or before a rebuild. */
  release(names?: readonly string[]): Promise<void>;
}

export class LeaseLost extends Error {
  constructor(readonly projection: string) {
    super(`projection ${projection} is held by another projector`);
  }
}

export const PROJECTION_LEASES = Symbol('ProjectionLeases');

/** One process, one store (embedded PGlite): every projection is this process's. */
export class SoleProjector implements ProjectionLeases {
  async acquire(names: readonly string[]): Promise<ReadonlySet<string>> {
    return new Set(names);
  }
  async fence(): Promise<void> {}
  async release(): Promise<void> {}
}
