import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { JsonObject } from '../../../ledger/event-log.port';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { StartTrainingRunCommand } from './start-training-run.command';
import { StartTrainingRunRequest } from './start-training-run.request.dto';

@ApiTags('training-runs')
@Controller('training-runs')
export class StartTrainingRunHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Start a training run on registered dataset versions (their content hashes are recorded); answers the new run id',
  })
  @ApiWrite()
  start(
    @Body() body: StartTrainingRunRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...request } = body;
    return this.commands.execute(
      new StartTrainingRunCommand(
        {
          model: request.model,
          datasetVersions: request.datasetVersions.map(({ name, version }) => ({ name, version })),
          code: { repository: request.code.repository, commit: request.code.commit },
          algorithm: request.algorithm,
          hyperparameters: request.hyperparameters as JsonObject,
          environment: (request.environment ?? {}) as JsonObject,
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
