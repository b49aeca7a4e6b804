import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, ValidateBy } from 'class-validator';
import { isCalendarDate } from '../../../ledger/calendar-date';

const CalendarDate = (field: string) =>
  ValidateBy({
    name: 'isCalendarDate',
    validator: {
      validate: (value: unknown) => isCalendarDate(value),
      defaultMessage: () => `${field} must be a calendar date YYYY-MM-DD`,
    },
  });

/** The reporting period, in whole UTC days (both inclusive). */
export class AdmRegisterRequest {
  @ApiPropertyOptional({
    format: 'date',
    example: '2026-01-01',
    description: 'First day (default: twelve months before `to`, plus one day)',
  })
  @IsOptional()
  @CalendarDate('from')
  from?: string;

  @ApiPropertyOptional({
    format: 'date',
    example: '2026-12-31',
    description: 'Last day, inclusive (default: today, UTC)',
  })
  @IsOptional()
  @CalendarDate('to')
  to?: string;
}
