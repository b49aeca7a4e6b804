import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { ProjectionRunner } from '../ledger/projections/projection-runner';
import { runCli } from './cli-support';

/** `npm run projections:rebuild [name …]`: empties the projections' tables and replays the ledger. */
runCli(async () => {
  const names = process.argv.slice(2);
  const app = await NestFactory.createApplicationContext(
    AppModule.forRoot({ startProjections: false }),
    {
      logger: ['error', 'warn'],
      abortOnError: false,
    },
  );
  try {
    const runner = app.get(ProjectionRunner);
    const selected =
      names.length > 0 ? names : runner.projections().map((projection) => projection.name);
    let lastReport = 0;
    const started = Date.now();
    await runner.rebuild(names, (name, applied) => {
      if (Date.now() - lastReport > 1000) {
        lastReport = Date.now();
        process.stderr.write(`${name}: ${applied} events applied…\n`);
      }
    });
    for (const status of runner.status().filter((s) => selected.includes(s.name))) {
      console.log(
        `rebuilt ${status.name}: ${status.eventsApplied} events applied, now at ${status.position ?? 'the start'}`,
      );
    }
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return 0;
  } finally {
    await app.close();
  }
});
