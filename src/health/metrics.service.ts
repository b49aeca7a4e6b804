import { Inject, Injectable } from '@nestjs/common';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { ProjectionRunner } from '../ledger/projections/projection-runner';
import { PostgresLeases } from '../ledger/projections/postgres-leases';
import { PROJECTION_LEASES, ProjectionLeases } from '../ledger/projections/projection-leases';
import { APP_CONFIG, AppConfig, runsProjections } from '../config/app-config';

/** One registry per application instance, so several apps in one process never collide. */
@Injectable()
export class MetricsService {
  readonly registry = new Registry();

  constructor(
    runner: ProjectionRunner,
    @Inject(PROJECTION_LEASES) leases: ProjectionLeases,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    collectDefaultMetrics({ register: this.registry });
    const labelNames = ['projection'] as const;
    new Gauge({
      name: 'attest_projection_held',
      help: '1 when this process runs the projection (README, "Projector role"): it holds its lease',
      labelNames,
      registers: [this.registry],
      collect() {
        const runs = runsProjections(config.role);
        const held = leases instanceof PostgresLeases ? leases.holding() : undefined;
        for (const status of runner.status())
          this.set(
            { projection: status.name },
            runs && (held === undefined || held.has(status.name)) ? 1 : 0,
          );
      },
    });
    new Gauge({
      name: 'attest_projection_lag_seconds',
      help: 'Seconds the projection is behind the ledger (0 when caught up)',
      labelNames,
      registers: [this.registry],
      collect() {
        for (const status of runner.status())
          this.set({ projection: status.name }, status.lagSeconds);
      },
    });
    new Gauge({
      name: 'attest_projection_caught_up',
      help: '1 when the projection has applied every committed event',
      labelNames,
      registers: [this.registry],
      collect() {
        for (const status of runner.status())
          this.set({ projection: status.name }, status.caughtUp ? 1 : 0);
      },
    });
    new Counter({
      name: 'attest_projection_events_applied_total',
      help: 'Events applied to the projection since start',
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const status of runner.status())
          this.inc({ projection: status.name }, status.eventsApplied);
      },
    });
    new Gauge({
      name: 'attest_projection_faults_open',
      help: 'Events the projection could not apply and moved past (open rows of projection_faults)',
      labelNames,
      registers: [this.registry],
      async collect() {
        // Faults another process recorded or resolved; the last known ones if the read fails.
        await runner.refreshFaults().catch(() => undefined);
        for (const status of runner.status())
          this.set({ projection: status.name }, status.faults.open);
      },
    });
    new Counter({
      name: 'attest_projection_faults_total',
      help: 'Faults the projection recorded since start (an event it could not apply, skipped)',
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const status of runner.status())
          this.inc({ projection: status.name }, status.faultsRecorded);
      },
    });
    new Counter({
      name: 'attest_projection_failures_total',
      help: 'Failed projection batches since start (each rolled back and retried)',
      labelNames,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const status of runner.status())
          this.inc({ projection: status.name }, status.failures);
      },
    });
  }
}
