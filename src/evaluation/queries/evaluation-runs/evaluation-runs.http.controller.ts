import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import { AllowEveryRole } from '../../../auth/access.decorators';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { UUID } from '../../../ledger/commands/identifiers';
import { ApiProblems } from '../../../ledger/http/api-problems.decorator';
import { ModelVersionPath } from '../../../model-registry/model-path.request.dto';
import { EvaluationRunStore } from '../../runs/evaluation-run.store';
import { EvaluationRunList, EvaluationRunView, evaluationRunView } from './evaluation-run.view';

export class EvaluationRunPath {
  @ApiProperty({ format: 'uuid' })
  @Matches(UUID, { message: 'id must be a lower-case UUID' })
  id!: string;
}

/** The most runs one version lists. */
const MAX_LISTED = 100;

/**
 * Evaluation runs as they stand (README, "Evaluation runs"): read from the service's own run
 * table, not from a projection, so no X-Ledger-Position applies.
 */
@ApiTags('evaluation')
@AllowEveryRole()
@Controller()
export class EvaluationRunsHttpController {
  constructor(private readonly store: EvaluationRunStore) {}

  @Get('evaluation-runs/:id')
  @ApiOperation({
    summary:
      'One evaluation run: status (queued, running, succeeded, failed), progress, settings, who asked and when; the reason when failed; the evaluation id, its ledger position and the verdict when succeeded',
  })
  @ApiOkResponse({ type: EvaluationRunView })
  @ApiProblems(400, 401, 403, 404, 503)
  async get(@Param() { id }: EvaluationRunPath): Promise<EvaluationRunView> {
    const run = await this.store.find(id);
    if (!run) throw new NotRecorded('evaluation run', id);
    return evaluationRunView(run);
  }

  @Get('models/:name/versions/:version/evaluation-runs')
  @ApiOperation({
    summary: `A model version's evaluation runs, newest first (at most ${MAX_LISTED})`,
  })
  @ApiOkResponse({ type: EvaluationRunList })
  @ApiProblems(400, 401, 403, 503)
  async list(@Param() { name, version }: ModelVersionPath): Promise<EvaluationRunList> {
    const runs = await this.store.ofVersion(name, version, MAX_LISTED);
    return { runs: runs.map(evaluationRunView) };
  }
}
