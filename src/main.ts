import 'reflect-metadata';
import { Logger } from 'nestjs-pino';
import { createApp } from './app-setup';
import { APP_CONFIG, AppConfig, ConfigError, loadConfig, loadDotEnv } from './config/app-config';

async function main(): Promise<void> {
  loadDotEnv();
  loadConfig(); // fail fast, before Nest logs anything
  const app = await createApp();
  const config = app.get<AppConfig>(APP_CONFIG);
  await app.listen({ port: config.port, host: config.host });
  const ledger = config.databaseUrl
    ? 'PostgreSQL (DATABASE_URL)'
    : `embedded PGlite in ${config.dataDir}`;
  app
    .get(Logger)
    .log(
      `Attest listening on http://${config.host}:${config.port} with ${ledger}; API docs at /api/docs`,
    );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) console.error(`attest: configuration error: ${error.message}`);
  else console.error('attest: failed to start:', error);
  process.exit(1);
});
