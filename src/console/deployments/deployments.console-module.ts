import { Module } from '@nestjs/common';
import { DeploymentsConsoleController } from './deployments.console-controller';

/** The console's deployments pages (README, "Console"). */
@Module({ controllers: [DeploymentsConsoleController] })
export class ConsoleDeploymentsModule {}
