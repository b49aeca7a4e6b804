import { reportRebuild, runProjectionsCli } from './rebuild-report';

/**
 * `npm run projections:rebuild [name …]`: empties the projections' tables and replays the ledger.
 * An event a projection cannot apply is recorded as a fault and passed, so a rebuild completes.
 */
runProjectionsCli(async (runner, names, app) => {
  let lastReport = 0;
  const started = Date.now();
  const results = await runner.rebuild(names, (name, applied) => {
    if (Date.now() - lastReport > 1000) {
      lastReport = Date.now();
      process.stderr.write(`${name}: ${applied} events applied…\n`);
    }
  });
  await reportRebuild(app, results);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return 0;
});
