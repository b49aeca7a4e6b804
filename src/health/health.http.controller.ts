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
  ) {}

  @Get('health/live')
  @HealthCheck()
  @ApiOperation({ summary: 'The process is up' })
  live() {
    return this.health.check([]);
  }

  @Get('health/ready')
  @HealthCheck()
  @ApiOperation({
    summary:
      'Database and event store reachable, every projection running; shows each projection’s lag and open faults (`faulted`: events it could not apply and passed; still ready)',
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
        const details = Object.fromEntries(
          projections.map((p) => [
            p.name,
            {
              state: p.state,
              caughtUp: p.caughtUp,
              lagSeconds: p.lagSeconds,
              position: p.position,
              lastError: p.lastError,
              faults: p.faults,
            },
          ]),
        );
        // A faulted projection runs on past the events it could not apply: still ready.
        const running = projections.every((p) =>
          ['live', 'catching-up', 'faulted'].includes(p.state),
        );
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
