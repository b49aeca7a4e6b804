import type { INestApplicationContext } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { listFaults } from '../ledger/projections/projection-faults';
import type { RebuildResult } from '../ledger/projections/projection-runner';

/** Prints what each rebuild did, then every open fault of those projections (to stderr). */
export async function reportRebuild(
  app: INestApplicationContext,
  results: readonly RebuildResult[],
): Promise<number> {
  for (const result of results) {
    const faults =
      result.faulted > 0 ? `, ${result.faulted} events could not be applied (open faults)` : '';
    const resolved = result.resolved > 0 ? `, ${result.resolved} faults resolved` : '';
    console.log(
      `rebuilt ${result.name}: ${result.eventsApplied} events applied${faults}${resolved}`,
    );
  }
  const open = await listFaults(app.get(DataSource).manager, {
    projections: results.map((result) => result.name),
    open: true,
  });
  for (const fault of open) {
    process.stderr.write(
      `fault: ${fault.projection} cannot apply event ${fault.eventId} (${fault.eventType} at ${fault.ledgerPosition}): ${fault.errorCode} ${fault.errorMessage}\n`,
    );
  }
  return open.length;
}
