import { Module } from '@nestjs/common';

/** The console's ledger pages (README, "Console"). */
@Module({ controllers: [] })
export class ConsoleLedgerModule {}
