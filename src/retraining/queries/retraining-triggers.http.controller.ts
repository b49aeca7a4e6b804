import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AllowEveryRole } from '../../auth/access.decorators';
import { NotRecorded } from '../../ledger/commands/rule-errors';
import { StreamWriter } from '../../ledger/commands/stream-writer';
import { ApiRead } from '../../ledger/http/api-read.decorator';
import { streams } from '../../ledger/stream-names';
import { ModelPath } from '../../model-registry/model-path.request.dto';
import { modelDecider } from '../../model-registry/model.decider';
import { retrainingDecider } from '../retraining.decider';
import type { RetrainingTriggered } from '../retraining.events';
import { RetrainingTriggerList } from './retraining-trigger.view';

@ApiTags('retraining')
@AllowEveryRole()
@Controller('models/:name/retraining-triggers')
export class RetrainingTriggersHttpController {
  constructor(private readonly writer: StreamWriter) {}

  /** Read from the model's own retraining stream: a handful of events, always current. */
  @Get()
  @ApiOperation({ summary: "A model's retraining triggers, newest first, with their signals" })
  @ApiRead(404)
  @ApiOkResponse({ type: RetrainingTriggerList })
  async list(@Param() { name }: ModelPath): Promise<RetrainingTriggerList> {
    const model = await this.writer.state(modelDecider, streams.model(name));
    if (model.versions.size === 0) throw new NotRecorded('model', name);
    const { recorded } = await this.writer.load(retrainingDecider, streams.retraining(name));
    return {
      triggers: recorded
        .map((event) => ({
          ...(event.data as RetrainingTriggered['data']),
          eventId: event.id,
          ledgerPosition: event.position,
        }))
        .reverse(),
    };
  }
}
