import { Module } from '@nestjs/common';

/** The console's approvals pages (README, "Console"). */
@Module({ controllers: [] })
export class ConsoleApprovalsModule {}
