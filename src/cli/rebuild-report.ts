import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { DataSource } from 'typeorm';
import { AppModule } from '../app.module';
import { listFaults } from '../ledger/projections/projection-faults';
import { ProjectionRunner, type RebuildResult } from '../ledger/projections/projection-runner';
import { runCli } from './cli-support';

/**
 * Runs a projections command (`runCli`): `work` gets the ProjectionRunner of an application whose
 * projections do not start, and the projection names given on the command line (none: all); the
 * application is closed when it ends.
 */
export function runProjectionsCli(
  work: (
    runner: ProjectionRunner,
    names: string[],
    app: INestApplicationContext,
  ) => Promise<number>,
): void {
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
      return await work(app.get(ProjectionRunner), names, app);
    } finally {
      await app.close();
    }
  });
}

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
