import { Module } from '@nestjs/common';
import { InventoryConsoleController } from './inventory.console-controller';

/** The console's inventory pages (README, "Console"). */
@Module({ controllers: [InventoryConsoleController] })
export class ConsoleInventoryModule {}
