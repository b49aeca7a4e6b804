import { Module } from '@nestjs/common';
import { ConsoleApprovalsModule } from './approvals/approvals.console-module';
import { ConsoleAssetsController } from './assets/assets.controller';
import { ConsoleComplianceModule } from './compliance/compliance.console-module';
import { ConsoleDeploymentsModule } from './deployments/deployments.console-module';
import { ConsoleInventoryModule } from './inventory/inventory.console-module';
import { ConsoleLedgerModule } from './ledger/ledger.console-module';
import { ConsoleSessionModule } from './session/console-session.module';

/**
 * The web console at /console (README, "Console"): server-rendered pages that call the same
 * query and command handlers as the REST API, signed in with a session cookie.
 */
@Module({
  imports: [
    ConsoleSessionModule,
    ConsoleInventoryModule,
    ConsoleApprovalsModule,
    ConsoleDeploymentsModule,
    ConsoleComplianceModule,
    ConsoleLedgerModule,
  ],
  controllers: [ConsoleAssetsController],
})
export class ConsoleModule {}
