import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { ProjectionRunner } from '../ledger/projections/projection-runner';
import { runCli } from './cli-support';
import { reportRebuild } from './rebuild-report';

/**
 * `npm run projections:replay-faults [name …]`: after a fix is deployed, rebuilds every projection
 * (of those named) holding open faults; a fault whose event now applies is resolved. Exits 0 when
 * none is left open, 1 when some still cannot be applied (listed on stderr).
 */
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
    const started = Date.now();
    const results = await runner.replayFaults(names);
    if (results.length === 0) {
      console.log('no open faults');
      return 0;
    }
    const open = await reportRebuild(app, results);
    console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
    return open === 0 ? 0 : 1;
  } finally {
    await app.close();
  }
});
