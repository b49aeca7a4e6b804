import { Body, Controller, HttpCode, Param, Post, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { ModelVersionPath } from '../../../model-registry/model-path.request.dto';
import { EvaluationRunAccepted, runHref } from '../../queries/evaluation-runs/evaluation-run.view';
import type { EvaluationRun } from '../../runs/evaluation-run.store';
import { StartEvaluationRunCommand } from './start-evaluation-run.command';
import { StartEvaluationRunRequest } from './start-evaluation-run.request.dto';

@ApiTags('evaluation')
@Controller('models')
export class StartEvaluationRunHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':name/versions/:version/evaluation-runs')
  @HttpCode(202)
  @Allow('pipeline', 'data-scientist', 'risk-manager')
  @ApiOperation({
    summary:
      "Have Attest evaluate the version: it scores the stored ONNX artifact on a registered dataset version's stored data (and the champion on the same rows), judges the measures under the evaluation policy in force and records one ModelEvaluated (performedBy attest). Answers 202 with the run to poll (Location); the same evaluation asked again while queued, running or succeeded answers that run. Refused (4xx naming the field, nothing recorded) when the version, its artifact, the dataset version or its data, a column, an input's columns, the score output or the champion does not fit",
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      'Retry-safe writes: the same key and body answer the first result again; the same key with another body is a 422. Scoped to the caller.',
  })
  @ApiAcceptedResponse({
    type: EvaluationRunAccepted,
    headers: {
      Location: {
        description: 'The run: GET /api/v1/evaluation-runs/{id}',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(400, 401, 403, 404, 409, 422, 503)
  async start(
    @Param() path: ModelVersionPath,
    @Body() body: StartEvaluationRunRequest,
    @Command() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<EvaluationRunAccepted> {
    const run: EvaluationRun = await this.commands.execute(
      new StartEvaluationRunCommand(
        {
          model: path.name,
          version: path.version,
          dataset: { name: body.dataset.name, version: body.dataset.version },
          labelColumn: body.labelColumn,
          positiveLabel: body.positiveLabel,
          threshold: body.threshold,
          protectedAttributes: body.protectedAttributes ? [...body.protectedAttributes] : undefined,
          environment: body.environment,
          champion: body.champion,
          columns: body.columns,
          pipelineScoreColumn: body.pipelineScoreColumn,
          scoreOutput: body.scoreOutput,
        },
        context,
      ),
    );
    const href = runHref(run.runId);
    void reply.header('Location', href);
    return { id: run.runId, status: run.status, href };
  }
}
