import { Module } from '@nestjs/common';
import { IntegrityModule } from '../integrity/integrity.module';
import { ComplianceReports } from './reports/compliance-reports';
import { ComplianceReportsHttpController } from './reports/compliance-reports.http.controller';
import { ReportDownloads } from './reports/report-downloads';
import { AdmRegisterHttpController } from './queries/adm-register/adm-register.http.controller';
import { AdmRegisterQueryHandler } from './queries/adm-register/adm-register.query-handler';
import { ServingPeriodsProjection } from './queries/adm-register/serving-periods.projection';
import { PersonalDataHttpController } from './queries/personal-data/personal-data.http.controller';
import { PersonalDataQueryHandler } from './queries/personal-data/personal-data.query-handler';

/**
 * Read-only compliance views: the APP 1.7 ADM register, the personal-information inventory, and
 * the ASIC and OAIC reports built on them.
 */
@Module({
  imports: [IntegrityModule],
  controllers: [
    AdmRegisterHttpController,
    PersonalDataHttpController,
    ComplianceReportsHttpController,
  ],
  providers: [
    ServingPeriodsProjection,
    AdmRegisterQueryHandler,
    PersonalDataQueryHandler,
    ComplianceReports,
    ReportDownloads,
  ],
  // The console's report pages build and hand out reports as the API does (README, "Console").
  exports: [ReportDownloads],
})
export class ComplianceModule {}
