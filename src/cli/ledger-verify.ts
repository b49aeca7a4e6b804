import { createEventLog } from '../ledger/event-log.factory';
import { verifyLedger } from '../ledger/ledger-verifier';
import { openConfiguredStore, runCli } from './cli-support';

/** `npm run ledger:verify`: recomputes every hash chain; exit 0 intact, 1 with the first mismatch. */
runCli(async () => {
  const { config, handle } = await openConfiguredStore();
  const eventLog = createEventLog(handle, config);
  try {
    const started = Date.now();
    const report = await verifyLedger(eventLog, (checked) => {
      if (checked > 0 && checked % 10_000 === 0)
        process.stderr.write(`verified ${checked} events…\n`);
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    if (report.ok) {
      console.log(
        `ledger intact: ${report.eventsChecked} events in ${report.streamsChecked} streams verified in ${seconds}s`,
      );
      return 0;
    }
    const first = report.firstMismatch;
    console.log(`ledger TAMPERED: ${report.mismatchCount} event(s) do not match their hash chain`);
    if (first) {
      console.log(
        `first: stream ${first.stream} revision ${first.revision} id ${first.id} (${first.reason})`,
      );
      console.log(`  expected ${first.expected}`);
      console.log(`  stored   ${first.actual}`);
    }
    return 1;
  } finally {
    await eventLog.close();
    await handle.close();
  }
});
