import { Module } from '@nestjs/common';
import { ApprovalsConsoleController } from './approvals.console-controller';

/** The console's approvals pages (README, "Console"). */
@Module({ controllers: [ApprovalsConsoleController] })
export class ConsoleApprovalsModule {}
