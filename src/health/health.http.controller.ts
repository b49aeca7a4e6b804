import { Public } from '../auth/access.decorators';
import {
  Controller,
  Get,
  Header,
  Headers,
  Inject,
  ServiceUnavailableException,
} from '@nestjs/common';
import { TOKEN_VERIFIER } from '../auth/access.guard';
import type { TokenVerifier } from '../auth/token-verifier';
import { EVENT_LOG, EventLog } from '../ledger/event-log.port';
import { ApiExcludeEndpoint, ApiOperation, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  HealthCheckService,
  HealthIndicatorService,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { ProjectionRunner } from '../ledger/projections/projection-runner';
import { PostgresLeases } from '../ledger/projections/postgres-leases';
import { PROJECTION_LEASES, ProjectionLeases } from '../ledger/projections/projection-leases';
import { APP_CONFIG, AppConfig, runsProjections } from '../config/app-config';
import { MetricsService } from './metrics.service';

@ApiTags('health')
@Public()
@Controller()
export class HealthHttpController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly indicators: HealthIndicatorService,
    private readonly runner: ProjectionRunner,
    private readonly metrics: MetricsService,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(TOKEN_VERIFIER) private readonly verifier: TokenVerifier,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(PROJECTION_LEASES) private readonly leases: ProjectionLeases,
  ) {}

  @Get('health/live')
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up' })
  live() {
    // What the health check service answers for no indicators, without running it per probe.
    return { status: 'ok', info: {}, error: {}, details: {} };
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Database and event store reachable, every projection this process holds running (an API process, ATTEST_ROLE=api, runs none: it shows the projectors’ checkpoints); shows each projection’s lag and open faults (`faulted`: events it could not apply and passed; still ready; `standby`: run by another process)',
  })
  async ready(@Headers('authorization') authorization?: string) {
    // Database error text and projection details are for admins; everyone else sees the status.
    const detailed = await this.verifier
      .verify(authorization)
      .then((actor) => actor.roles.includes('admin'))
      .catch(() => false);
    const result = await this.readiness().catch((error: unknown) => {
      if (detailed || !(error instanceof ServiceUnavailableException)) throw error;
      throw new ServiceUnavailableException('not ready');
    });
    return detailed ? result : { status: result.status };
  }

  private readiness() {
    return this.health.check([
      () => this.database.pingCheck('database', { timeout: 2000 }),
      async () => {
        const indicator = this.indicators.check('eventLog');
        try {
          await this.eventLog.ping();
          return indicator.up();
        } catch (error) {
          return indicator.down({
            message: error instanceof Error ? error.message : String(error),
          });
        }
      },
      async () => {
        const indicator = this.indicators.check('projections');
        // Faults another process recorded or resolved; the last known ones if the read fails.
        await this.runner.refreshFaults().catch(() => undefined);
        const projections = this.runner.status();
        // An API process runs no projection: all of them show `standby` there. In a projector,
        // the runner itself shows `standby` for those another projector holds.
        const runsHere = runsProjections(this.config.role);
        const details = Object.fromEntries(
          projections.map((p) => [
            p.name,
            {
              state: runsHere ? p.state : 'standby',
              caughtUp: p.caughtUp,
              lagSeconds: p.lagSeconds,
              position: p.position,
              lastError: p.lastError,
              faults: p.faults,
            },
          ]),
        );
        // README, "Projector role": an API process serves whether or not the projectors keep up
        // (a read waiting on X-Ledger-Position answers 503 when they do not); a projector is ready
        // once every projection it holds runs, and a standby holding none is ready to take over.
        // A faulted projection runs on past the events it could not apply: still ready.
        // The runner shows `standby` for a projection another projector holds; one this process
        // should run and does not (never started, stopped, failing) makes it not ready.
        const running =
          !runsHere ||
          projections.every((p) => ['live', 'catching-up', 'faulted', 'standby'].includes(p.state));
        const leaseSession =
          !(this.leases instanceof PostgresLeases) || !runsHere || this.leases.connected();
        if (!leaseSession)
          return indicator.down({ ...details, leases: 'the lease session is down; reconnecting' });
        return running ? indicator.up(details) : indicator.down(details);
      },
    ]);
  }

  @Get('metrics')
  @ApiExcludeEndpoint()
  @Header('Content-Type', 'text/plain; version=0.0.4; charset=utf-8')
  scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
