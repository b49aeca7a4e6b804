import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { DeploymentPath } from '../../../deployments/deployment-path.request.dto';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { normalisedWindow } from '../../window.request.dto';
import { RecordGroundTruthCommand } from './record-ground-truth.command';
import { RecordGroundTruthRequest } from './record-ground-truth.request.dto';

@ApiTags('predictions')
@Controller('deployments')
export class RecordGroundTruthHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/ground-truth')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Record outcomes that arrived for prediction batches of a deployment, as metrics over a window (the id answered is the ground-truth id)',
    description:
      'Accepted for any recorded deployment, retired or rolled back included, since outcomes arrive late. Every batch must be a batch of this deployment (422 unknown-prediction-batch) scored by `version`.',
  })
  @ApiWrite({ problems: [404] })
  record(
    @Param() { id }: DeploymentPath,
    @Body() body: RecordGroundTruthRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source } = body;
    return this.commands.execute(
      new RecordGroundTruthCommand(
        {
          deploymentId: id,
          version: body.version,
          batchIds: [...body.batchIds],
          window: normalisedWindow(body.window),
          count: body.count,
          labelsDigest: body.labelsDigest,
          metrics: { ...body.metrics },
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
