import { Client } from 'pg';
import { IntegrityTree } from '../integrity/integrity-tree';
import { TreeCheck, type TreeMismatch } from '../integrity/tree-check';
import { createEventLog } from '../ledger/event-log.factory';
import { verifyLedger } from '../ledger/ledger-verifier';
import { openConfiguredStore, runCli } from './cli-support';

/** The wrong row, as an operator would look it up: table, then its key. */
function place(t: TreeMismatch): string {
  const key =
    t.table === 'integrity_subtrees'
      ? `level ${t.level} index ${t.index}`
      : t.table === 'integrity_leaves'
        ? `leaf ${t.index}`
        : t.table === 'ledger_checkpoints' || t.table === 'ledger_events'
          ? `tree size ${t.at}`
          : `key of event ${t.eventId}`;
  return `${t.table} ${key}${t.column ? ` column ${t.column}` : ''}`;
}

/**
 * `npm run ledger:verify`: recomputes every hash chain and checks every stored node of the
 * integrity log (leaves, complete subtrees at every level, checkpoint and signing-key rows) and
 * every signed checkpoint against the same events; exit 0 intact, 1 naming the first mismatch.
 */
runCli(async () => {
  const { config, handle } = await openConfiguredStore();
  const eventLog = createEventLog(handle, config);
  const sql = new Client({ connectionString: handle.url });
  await sql.connect();
  try {
    const started = Date.now();
    const db = {
      query: async (text: string, values?: unknown[]) => (await sql.query(text, values)).rows,
    };
    const tree = await TreeCheck.of(db, new IntegrityTree(db));
    const report = await verifyLedger(
      eventLog,
      (checked) => {
        if (checked > 0 && checked % 10_000 === 0)
          process.stderr.write(`verified ${checked} events…\n`);
      },
      tree,
    );
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const treeReport = report.tree;
    if (report.ok) {
      console.log(
        `ledger intact: ${report.eventsChecked} events in ${report.streamsChecked} streams verified in ${seconds}s; integrity tree matches (${treeReport?.leavesChecked ?? 0} leaves, ${treeReport?.subtreesChecked ?? 0} subtrees, ${treeReport?.checkpointsChecked ?? 0} signed checkpoints)`,
      );
      return 0;
    }
    if (treeReport && !treeReport.ok && treeReport.firstMismatch) {
      const t = treeReport.firstMismatch;
      console.log(
        `integrity log MISMATCH: ${treeReport.mismatchCount} problem(s); first: ${t.reason} in ${place(t)}${t.eventId ? ` (event ${t.eventId})` : ''}`,
      );
      console.log(`  expected ${t.expected}`);
      console.log(`  stored   ${t.actual}`);
    }
    const first = report.firstMismatch;
    if (report.mismatchCount > 0)
      console.log(
        `ledger TAMPERED: ${report.mismatchCount} event(s) do not match their hash chain`,
      );
    if (first) {
      console.log(
        `first: stream ${first.stream} revision ${first.revision} id ${first.id} (${first.reason})`,
      );
      console.log(`  expected ${first.expected}`);
      console.log(`  stored   ${first.actual}`);
    }
    return 1;
  } finally {
    await sql.end();
    await eventLog.close();
    await handle.close();
  }
});
