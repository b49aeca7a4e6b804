import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, Matches, ValidateBy } from 'class-validator';

/** An RFC 3339 instant: date, time and offset (a bare date is not an instant). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The instants a read model's timestamptz columns hold as normalised: 1970 to 9999 in UTC. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** An instant that, taken to UTC, still falls in 1970-9999 (e.g. 9999-12-31T23:59:59-14:00 does not). */
function IsStorableInstant(field: string): PropertyDecorator {
  return ValidateBy({
    name: 'isStorableInstant',
    validator: {
      validate: (value: unknown) => {
        const time = typeof value === 'string' ? Date.parse(value) : NaN;
        return time >= EARLIEST && time <= LATEST;
      },
      defaultMessage: () => `${field} must fall between 1970 and the end of 9999 in UTC`,
    },
  });
}

/** The period a batch's predictions (or outcomes) fall in; `from` must be before `to`. */
export class WindowRequest {
  @ApiProperty({
    format: 'date-time',
    example: '2026-02-28T00:00:00Z',
    description: 'From 1970 to the end of 9999 in UTC',
  })
  @Matches(INSTANT, { message: 'window.from must be an instant such as 2026-02-28T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'window.from must be a valid date and time' })
  @IsStorableInstant('window.from')
  from!: string;

  @ApiProperty({
    format: 'date-time',
    example: '2026-03-01T00:00:00Z',
    description: 'After from; no later than the end of 9999 in UTC',
  })
  @Matches(INSTANT, { message: 'window.to must be an instant such as 2026-03-01T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'window.to must be a valid date and time' })
  @IsStorableInstant('window.to')
  to!: string;
}

/** Instants are stored in one form (UTC, milliseconds), so windows sort and compare as text too. */
export function normalisedWindow(window: WindowRequest): { from: string; to: string } {
  return { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
}
