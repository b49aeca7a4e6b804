import { ApiProperty } from '@nestjs/swagger';

/** What every write answers (docs/design.md §8). */
export class WriteResult {
  @ApiProperty({
    description:
      'Id of what the command created or acted on (training run, approval, deployment, dataset version as name@version, …)',
    example: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
  })
  id!: string;

  @ApiProperty({
    description:
      'Ledger position of the last event written (or, for a repeat that wrote nothing, of the event that already records it). Send it as X-Ledger-Position to read your write.',
    example: '0000000000000a3f-0000000000000042',
  })
  ledgerPosition!: string;

  @ApiProperty({
    description: 'Ids of the events this request appended; empty when it repeated a recorded fact',
    type: [String],
  })
  eventIds!: string[];
}

/** The answer to a write, from the id of what it acted on and the writer's outcome. */
export function writeResult(
  id: string,
  outcome: { eventIds: string[]; ledgerPosition: string },
): WriteResult {
  return { id, ledgerPosition: outcome.ledgerPosition, eventIds: outcome.eventIds };
}
