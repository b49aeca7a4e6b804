import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';
import { RESOURCE_NAME, RESOURCE_NAME_HINT } from '../../ledger/commands/identifiers';
import { AdmRegisterRequest } from '../queries/adm-register/adm-register.request.dto';
import { REPORT_NAMES, type ReportName } from './compliance-reports';

/** GET /compliance/reports/{report}: which report. */
export class ReportPath {
  @IsIn(REPORT_NAMES, { message: `report must be one of ${REPORT_NAMES.join(', ')}` })
  report!: ReportName;
}

/** The report's period, scope and form (the API's query; the console's report pages use it too). */
export class ReportRequest extends AdmRegisterRequest {
  @ApiPropertyOptional({ enum: ['json', 'pdf'], default: 'json' })
  @IsOptional()
  @IsIn(['json', 'pdf'], { message: 'format must be json or pdf' })
  format?: 'json' | 'pdf';

  @ApiPropertyOptional({ example: 'credit-risk', description: 'One model; omitted: the portfolio' })
  @IsOptional()
  @Matches(RESOURCE_NAME, { message: `model must be ${RESOURCE_NAME_HINT}` })
  model?: string;
}
