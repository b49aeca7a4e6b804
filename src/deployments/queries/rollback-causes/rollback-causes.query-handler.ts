import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { EVENT_LOG, type EventLog, type RecordedEvent } from '../../../ledger/event-log.port';
import { StreamNotFound } from '../../../ledger/ledger.errors';
import { streams } from '../../../ledger/stream-names';
import type { DeploymentRolledBack } from '../../deployment.events';

/** An automatic rollback and the alert whose breach it answered (README, "Monitoring by Attest"). */
export type RollbackCause = { eventId: string; causeAlertId: string };

/**
 * The cause alert of each automatic rollback of one deployment. The `deployment_history` read
 * model does not keep it, so this reads the deployment's own stream once (a handful of events).
 */
export class ListRollbackCausesQuery extends Query<RollbackCause[]> {
  constructor(readonly deploymentId: string) {
    super();
  }
}

@QueryHandler(ListRollbackCausesQuery)
export class ListRollbackCausesQueryHandler implements IQueryHandler<
  ListRollbackCausesQuery,
  RollbackCause[]
> {
  constructor(@Inject(EVENT_LOG) private readonly log: EventLog) {}

  async execute({ deploymentId }: ListRollbackCausesQuery): Promise<RollbackCause[]> {
    let events: RecordedEvent[];
    try {
      events = await this.log.readStream(streams.deployment(deploymentId));
    } catch (error) {
      // A deployment never rolled out has no stream: no rollbacks, so no causes.
      if (error instanceof StreamNotFound) return [];
      throw error;
    }
    return events.flatMap((event) => {
      if (event.type !== 'DeploymentRolledBack') return [];
      const cause = (event.data as DeploymentRolledBack['data']).causeAlertId;
      return cause ? [{ eventId: event.id, causeAlertId: cause }] : [];
    });
  }
}
