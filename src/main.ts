import 'reflect-metadata';
import type { AddressInfo } from 'node:net';
import { Logger } from 'nestjs-pino';
import { createApp } from './app-setup';
import { APP_CONFIG, AppConfig, ConfigError, loadConfig, loadDotEnv } from './config/app-config';
import { ProjectionRunner } from './ledger/projections/projection-runner';

async function main(): Promise<void> {
  loadDotEnv();
  loadConfig(); // fail fast, before Nest logs anything
  const app = await createApp();
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get(Logger);
  await app.listen({ port: config.port, host: config.host });
  const { port } = app.getHttpServer().address() as AddressInfo;
  // What a person types: an address that listens everywhere is reached here as localhost.
  const host = ['0.0.0.0', '::'].includes(config.host) ? 'localhost' : config.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const ledger = config.databaseUrl
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${config.dataDir}`;
  // README, "Projector role": what this process serves and runs.
  const serves = {
    all: `API docs at ${url}/api/docs`,
    api: `API docs at ${url}/api/docs; projections run by ATTEST_ROLE=projector processes`,
    projector: 'projector: health, readiness and metrics only; projections taken by lease',
  }[config.role];
  logger.log(`listening on ${url} with ${ledger}; ${serves}`, 'Attest');
  // Ready: requests answered and the read models this process runs current with the ledger as
  // it was at start (an API process: once it has read the projectors' checkpoints).
  await app.get(ProjectionRunner).caughtUp();
  logger.log(`ready on ${url} in ${process.uptime().toFixed(1)} s`, 'Attest');
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`attest: configuration error: ${error.message}`);
  else console.error('attest: failed to start:', error);
  process.exit(1);
});
