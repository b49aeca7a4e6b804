import { Module } from '@nestjs/common';
import { AuditPackModule } from '../../audit-pack/audit-pack.module';
import { IntegrityModule } from '../../integrity/integrity.module';
import { CONSOLE_SCRIPTS } from '../assets/assets.controller';
import { LedgerConsoleController } from './ledger.console-controller';
import { VerifyPackConsoleController } from './verify.console-controller';
import { verifyPackScript } from './verify-pack.bundle';

// Bundled on its first request, then cached by the assets controller.
CONSOLE_SCRIPTS.set('verify-pack.js', verifyPackScript);

/** The console's ledger pages and the in-browser pack verifier (README, "Console"). */
@Module({
  imports: [IntegrityModule, AuditPackModule],
  controllers: [LedgerConsoleController, VerifyPackConsoleController],
})
export class ConsoleLedgerModule {}
