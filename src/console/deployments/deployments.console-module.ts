import { Module } from '@nestjs/common';

/** The console's deployments pages (README, "Console"). */
@Module({ controllers: [] })
export class ConsoleDeploymentsModule {}
