import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { ProjectionRunner } from './ledger/projections/projection-runner';

/**
 * An API process (ATTEST_ROLE=api, README "Projector role") runs no projection: it follows the
 * checkpoints the projector processes move, so a read sent with X-Ledger-Position waits until the
 * read models include that write (read-your-writes across processes).
 */
@Injectable()
export class ApiRoleObserver implements OnApplicationBootstrap {
  constructor(private readonly runner: ProjectionRunner) {}

  async onApplicationBootstrap(): Promise<void> {
    await this.runner.observe();
  }
}
