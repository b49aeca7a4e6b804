import { IsIn, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { EVENT_TYPES } from '../../ledger/event-catalog';
import { InvalidRequest } from '../../ledger/ledger.errors';
import { STREAM_NAME, STREAM_NAME_HINT } from '../../ledger/stream-names';

const INSTANT_HINT = 'an instant such as 2026-07-01T09:30 (UTC) or 2026-07-01T09:30:00Z';
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?$/;

/** The explorer's filters, as its GET form sends them (README, "Console"). Empty means any. */
export class LedgerExplorerRequest {
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(STREAM_NAME, { message: `stream must be ${STREAM_NAME_HINT}` })
  stream?: string;

  @IsOptional()
  @IsIn([...EVENT_TYPES], {
    message: 'type must be an event type of the ledger, such as ModelVersionRegistered',
  })
  type?: string;

  @IsOptional()
  @IsString()
  @MaxLength(200, { message: 'actor must be at most 200 characters' })
  actor?: string;

  @IsOptional()
  @Matches(INSTANT, { message: `from must be ${INSTANT_HINT}` })
  from?: string;

  @IsOptional()
  @Matches(INSTANT, { message: `to must be ${INSTANT_HINT}` })
  to?: string;

  @IsOptional()
  @Matches(/^\d{1,15}$/, { message: 'before must be the cursor of a previous page (a number)' })
  before?: string;

  /** Time travel: read by the console guard. */
  @IsOptional()
  @IsString()
  asOf?: string;
}

/** The query string's fields, empty ones dropped (an empty filter box means "any"). */
export function explorerFields(query: URLSearchParams): Record<string, string> {
  const fields: Record<string, string> = {};
  for (const [key, value] of query) if (value.trim() !== '') fields[key] = value.trim();
  return fields;
}

/** A from/to field as an instant (datetime-local values are UTC, as the time-travel control's). */
export function instantOf(field: 'from' | 'to', value: string | undefined): Date | undefined {
  if (value === undefined) return undefined;
  const zoned = /(Z|[+-]\d{2}:\d{2})$/.test(value);
  const date = new Date(zoned ? value : `${value}Z`);
  if (Number.isNaN(date.getTime()))
    throw new InvalidRequest(`invalid ${field}`, { [field]: [`${field} must be ${INSTANT_HINT}`] });
  return date;
}
