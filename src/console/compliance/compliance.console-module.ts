import { Module } from '@nestjs/common';
import { ComplianceModule } from '../../compliance/compliance.module';
import { AdmRegisterConsoleController } from './adm-register.console-controller';
import { DeletionRequestsConsoleController } from './deletion-requests.console-controller';
import { ReportsConsoleController } from './reports.console-controller';

/** The console's compliance pages (README, "Console"). */
@Module({
  imports: [ComplianceModule],
  controllers: [
    AdmRegisterConsoleController,
    ReportsConsoleController,
    DeletionRequestsConsoleController,
  ],
})
export class ConsoleComplianceModule {}
