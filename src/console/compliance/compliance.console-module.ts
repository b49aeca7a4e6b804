import { Module } from '@nestjs/common';

/** The console's compliance pages (README, "Console"). */
@Module({ controllers: [] })
export class ConsoleComplianceModule {}
