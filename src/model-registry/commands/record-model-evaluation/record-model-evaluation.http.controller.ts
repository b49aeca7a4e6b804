import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { ModelVersionPath } from '../../model-path.request.dto';
import { RecordModelEvaluationCommand } from './record-model-evaluation.command';
import { RecordModelEvaluationRequest } from './record-model-evaluation.request.dto';

@ApiTags('models')
@Controller('models')
export class RecordModelEvaluationHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':name/versions/:version/evaluations')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Record an evaluation of a model version on a registered dataset version (metrics, baseline, fairness, verdict); answers the evaluation id',
  })
  @ApiWrite({ problems: [404] })
  evaluate(
    @Param() path: ModelVersionPath,
    @Body() body: RecordModelEvaluationRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...request } = body;
    return this.commands.execute(
      new RecordModelEvaluationCommand(
        {
          model: path.name,
          version: path.version,
          datasetVersion: {
            name: request.datasetVersion.name,
            version: request.datasetVersion.version,
          },
          metrics: { ...request.metrics },
          baseline: request.baseline
            ? {
                version: request.baseline.version ?? null,
                metrics: { ...request.baseline.metrics },
              }
            : null,
          fairness: request.fairness.map((result) => ({
            attribute: result.attribute,
            metric: result.metric,
            value: result.value,
            threshold: result.threshold,
            groups: { ...result.groups },
            passed: result.passed,
          })),
          verdict: request.verdict,
          performedBy: 'pipeline',
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
