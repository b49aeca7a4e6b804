import { Controller, Get, Header } from '@nestjs/common';
import { Console, type ConsoleContext } from '../console-context';
import { ConsoleController } from '../console-access';
import { html } from '../html';
import { page } from '../layout';

/** The inventory: every model (README, "Console"). */
@ConsoleController()
@Controller('console')
export class InventoryConsoleController {
  @Get()
  @Header('Content-Type', 'text/html; charset=utf-8')
  inventory(@Console() ctx: ConsoleContext): string {
    return page(ctx, { title: 'Inventory', section: 'inventory', body: html`<p>Models.</p>` }).text;
  }
}
