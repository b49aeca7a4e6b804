import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { TrainingRunPath } from '../../training-run-path.request.dto';
import { FailTrainingRunCommand } from './fail-training-run.command';
import { FailTrainingRunRequest } from './fail-training-run.request.dto';

@ApiTags('training-runs')
@Controller('training-runs')
export class FailTrainingRunHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/failure')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary: 'Record that a running training run failed (once; the same failure again is a no-op)',
  })
  @ApiWrite({ problems: [404] })
  fail(
    @Param() path: TrainingRunPath,
    @Body() body: FailTrainingRunRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, reason } = body;
    return this.commands.execute(
      new FailTrainingRunCommand(
        { runId: path.id, reason },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
