import { reportRebuild, runProjectionsCli } from './rebuild-report';

/**
 * `npm run projections:replay-faults [name …]`: after a fix is deployed, rebuilds every projection
 * (of those named) holding open faults; a fault whose event now applies is resolved. Exits 0 when
 * none is left open, 1 when some still cannot be applied (listed on stderr).
 */
runProjectionsCli(async (runner, names, app) => {
  const started = Date.now();
  const results = await runner.replayFaults(names);
  if (results.length === 0) {
    console.log('no open faults');
    return 0;
  }
  const open = await reportRebuild(app, results);
  console.log(`done in ${((Date.now() - started) / 1000).toFixed(1)}s`);
  return open === 0 ? 0 : 1;
});
