import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { DeploymentPath } from '../../../deployments/deployment-path.request.dto';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { normalisedWindow } from '../../window.request.dto';
import { RecordPredictionBatchCommand } from './record-prediction-batch.command';
import type { BatchBins, BinnedCounts } from '../../prediction.events';
import {
  type BatchBinsRequest,
  type BinnedCountsRequest,
  RecordPredictionBatchRequest,
} from './record-prediction-batch.request.dto';

/** Plain bins for the decider, which checks they add up. */
function batchBins(bins: BatchBinsRequest): BatchBins {
  const binned = (b: BinnedCountsRequest): BinnedCounts => ({
    ...(b.edges ? { edges: [...b.edges] } : {}),
    ...(b.categories ? { categories: [...b.categories] } : {}),
    counts: [...b.counts],
    missing: b.missing,
  });
  return {
    baseline: { source: bins.baseline.source, id: bins.baseline.id ?? null },
    score: binned(bins.score),
    features: bins.features.map((f) => ({ feature: f.feature, ...binned(f) })),
  };
}

@ApiTags('predictions')
@Controller('deployments')
export class RecordPredictionBatchHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/prediction-batches')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Record the summary of a batch of predictions of an active deployment (the id answered is the batch id)',
    description:
      'Summaries only (counts, input digest, output distribution, feature summaries, latency, automated vs referred), never the inputs or outputs of a person. The version must be the one serving or the canary (422 version-not-serving); a deployment that is not active is 409 deployment-not-active.',
  })
  @ApiWrite({ problems: [404] })
  record(
    @Param() { id }: DeploymentPath,
    @Body() body: RecordPredictionBatchRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source } = body;
    return this.commands.execute(
      new RecordPredictionBatchCommand(
        {
          deploymentId: id,
          version: body.version,
          count: body.count,
          window: normalisedWindow(body.window),
          inputDigest: body.inputDigest,
          outputDistribution: { ...body.outputDistribution },
          featureSummaries: body.featureSummaries.map((summary) => ({
            feature: summary.feature,
            mean: summary.mean ?? null,
            stddev: summary.stddev ?? null,
            missing: summary.missing,
          })),
          latencyMs: { p50: body.latencyMs.p50, p95: body.latencyMs.p95, p99: body.latencyMs.p99 },
          decisions: { automated: body.decisions.automated, referred: body.decisions.referred },
          ...(body.bins ? { bins: batchBins(body.bins) } : {}),
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
