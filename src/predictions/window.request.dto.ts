import { ApiProperty } from '@nestjs/swagger';
import { IsISO8601, Matches } from 'class-validator';

/** An RFC 3339 instant: date, time and offset (a bare date is not an instant). */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$/;

/** The period a batch's predictions (or outcomes) fall in; `from` must be before `to`. */
export class WindowRequest {
  @ApiProperty({ format: 'date-time', example: '2026-02-28T00:00:00Z' })
  @Matches(INSTANT, { message: 'window.from must be an instant such as 2026-02-28T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'window.from must be a valid date and time' })
  from!: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-01T00:00:00Z', description: 'After from' })
  @Matches(INSTANT, { message: 'window.to must be an instant such as 2026-03-01T00:00:00Z' })
  @IsISO8601({ strict: true }, { message: 'window.to must be a valid date and time' })
  to!: string;
}

/** Instants are stored in one form (UTC, milliseconds), so windows sort and compare as text too. */
export function normalisedWindow(window: WindowRequest): { from: string; to: string } {
  return { from: new Date(window.from).toISOString(), to: new Date(window.to).toISOString() };
}
