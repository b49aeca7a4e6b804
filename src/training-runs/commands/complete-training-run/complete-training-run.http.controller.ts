import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { TrainingRunPath } from '../../training-run-path.request.dto';
import { CompleteTrainingRunCommand } from './complete-training-run.command';
import { CompleteTrainingRunRequest } from './complete-training-run.request.dto';

@ApiTags('training-runs')
@Controller('training-runs')
export class CompleteTrainingRunHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/completion')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Complete a running training run with its metrics, validation approach and artifact digest (once; the same completion again is a no-op)',
  })
  @ApiWrite({ problems: [404] })
  complete(
    @Param() path: TrainingRunPath,
    @Body() body: CompleteTrainingRunRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...request } = body;
    return this.commands.execute(
      new CompleteTrainingRunCommand(
        {
          runId: path.id,
          metrics: { ...request.metrics },
          validationApproach: request.validationApproach,
          artifact: {
            uri: request.artifact.uri,
            digest: request.artifact.digest,
            format: request.artifact.format,
          },
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
