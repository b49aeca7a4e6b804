import { Module } from '@nestjs/common';
import { AdmRegisterHttpController } from './queries/adm-register/adm-register.http.controller';
import { AdmRegisterQueryHandler } from './queries/adm-register/adm-register.query-handler';
import { ServingPeriodsProjection } from './queries/adm-register/serving-periods.projection';
import { PersonalDataHttpController } from './queries/personal-data/personal-data.http.controller';
import { PersonalDataQueryHandler } from './queries/personal-data/personal-data.query-handler';

/** Read-only compliance views: the APP 1.7 ADM register and the personal-information inventory. */
@Module({
  controllers: [AdmRegisterHttpController, PersonalDataHttpController],
  providers: [ServingPeriodsProjection, AdmRegisterQueryHandler, PersonalDataQueryHandler],
})
export class ComplianceModule {}
