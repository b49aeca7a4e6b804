import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy, isISO8601 } from 'class-validator';

export const AS_OF_HINT = 'an ISO 8601 instant with a time zone (e.g. 2026-03-01T00:00:00Z)';

/**
 * A date and a time to the second with an explicit zone (as lineage's asOf): a bare date would
 * leave "which moment of it" open.
 */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:Z|[+-]\d{2}:\d{2})$/;

export function isInstant(value: unknown): value is string {
  return typeof value === 'string' && INSTANT.test(value) && isISO8601(value, { strict: true });
}

/** `asOf`: an instant, refused (400 naming the field) when malformed. */
export function IsInstant(): PropertyDecorator {
  return ValidateBy({
    name: 'isInstant',
    validator: {
      validate: (value) => isInstant(value),
      defaultMessage: (args) => `${args?.property ?? 'asOf'} must be ${AS_OF_HINT}`,
    },
  });
}

export const AS_OF_DESCRIPTION =
  'Answer as the ledger stood at this instant: computed from the recorded history by each event’s occurredAt (events at exactly this instant count). Omitted: as things stand now';

/** The `asOf` query parameter of a single-resource view. */
export class AsOfRequest {
  @ApiPropertyOptional({
    format: 'date-time',
    example: '2026-03-01T00:00:00Z',
    description: AS_OF_DESCRIPTION,
  })
  @IsOptional()
  @IsInstant()
  asOf?: string;
}
