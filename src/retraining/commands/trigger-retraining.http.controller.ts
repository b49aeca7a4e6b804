import { Body, Controller, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../auth/access.decorators';
import { Command, type CommandContext, newId } from '../../ledger/commands/command-context';
import type { WriteResult } from '../../ledger/commands/write-result';
import { ApiWrite } from '../../ledger/http/api-write.decorator';
import { ModelPath } from '../../model-registry/model-path.request.dto';
import { RetrainingTrigger } from '../retraining-trigger';
import { TriggerRetrainingRequest } from './trigger-retraining.request.dto';

@ApiTags('retraining')
@Controller('models/:name/retraining-triggers')
export class TriggerRetrainingHttpController {
  constructor(private readonly retraining: RetrainingTrigger) {}

  @Post()
  @Allow('risk-manager', 'data-scientist')
  @ApiOperation({
    summary: 'Ask for a model to be trained again (the id answered is the trigger id)',
    description:
      'Records RetrainingTriggered with reason manual and the note; webhooks subscribed to RetrainingTriggered carry it to the pipelines (README, "Retraining triggers"). An unregistered model is 404. With an Idempotency-Key a retry records nothing more.',
  })
  @ApiWrite({ problems: [404] })
  trigger(
    @Param() { name }: ModelPath,
    @Body() body: TriggerRetrainingRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    return this.retraining.trigger(
      {
        model: name,
        reason: 'manual',
        signals: [],
        note: body.note,
        triggerId: newId(context, 'retraining-trigger'),
      },
      context,
    );
  }
}
