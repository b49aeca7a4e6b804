import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Controller, Get, Param, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiProperty, ApiTags } from '@nestjs/swagger';
import { Matches } from 'class-validator';
import type { FastifyReply } from 'fastify';
import { Allow, CurrentActor } from '../../../../auth/access.decorators';
import { READING_ROLES } from '../../../../auth/roles';
import { NotRecorded, StateConflict } from '../../../../ledger/commands/rule-errors';
import { UUID } from '../../../../ledger/commands/identifiers';
import type { Actor } from '../../../../ledger/event-log.port';
import { ApiProblems } from '../../../../ledger/http/api-problems.decorator';
import { type BatchScoringJob, BatchScoringJobStore } from '../../batch-scoring-job.store';
import { BatchScoringJobView, batchScoringJobView } from './batch-scoring-job.view';

export class BatchScoringJobPath {
  @ApiProperty({ format: 'uuid' })
  @Matches(UUID, { message: 'id must be a lower-case UUID' })
  id!: string;
}

/**
 * Batch scoring jobs as they stand (README, "Batch scoring"): read from the service's own job
 * table, not from a projection, so no X-Ledger-Position applies. A caller with the `scoring`
 * role only (an application) sees its own jobs; pipelines and the reading roles see every job,
 * its result included: a result holds scores and receipt ids, no input value, so a regulator can
 * check each line against its receipt.
 */
@ApiTags('serving')
@Controller('batch-scoring')
export class BatchScoringJobsHttpController {
  constructor(private readonly store: BatchScoringJobStore) {}

  @Get(':id')
  @Allow(...READING_ROLES, 'scoring')
  @ApiOperation({
    summary:
      "One batch scoring job: status (queued, running, succeeded, failed), progress (rows scored of the upload's rows), the version and arm that serve it, decision counts, who asked and when, links; the reason (line and column, never a value) when failed",
  })
  @ApiOkResponse({ type: BatchScoringJobView })
  @ApiProblems(400, 401, 403, 404, 503)
  async get(
    @Param() { id }: BatchScoringJobPath,
    @CurrentActor() actor: Actor,
  ): Promise<BatchScoringJobView> {
    return batchScoringJobView(await this.visible(id, actor));
  }

  @Get(':id/result')
  @Allow(...READING_ROLES, 'scoring')
  @ApiOperation({
    summary:
      "The result of a succeeded job as CSV: a header line, then one line per data row of the upload, in its order: line (the row's line in the upload), score, decision (positive or negative), label, receiptId (GET /receipts/{id}). 409 until the job has succeeded",
  })
  @ApiProduces('text/csv')
  @ApiOkResponse({ schema: { type: 'string', format: 'binary' } })
  @ApiProblems(400, 401, 403, 404, 409, 503)
  async result(
    @Param() { id }: BatchScoringJobPath,
    @CurrentActor() actor: Actor,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<StreamableFile> {
    const job = await this.visible(id, actor);
    if (job.status !== 'succeeded') {
      throw new StateConflict(
        'batch-scoring-not-succeeded',
        `batch scoring job ${id} is ${job.status}: its result is only there once it has succeeded`,
        { status: job.status },
      );
    }
    const info = job.resultPath ? await stat(job.resultPath).catch(() => null) : null;
    if (!job.resultPath || !info) throw new NotRecorded('batch scoring result file', id);
    void reply.header('Cache-Control', 'no-store');
    return new StreamableFile(createReadStream(job.resultPath), {
      type: 'text/csv; charset=utf-8',
      length: info.size,
      disposition: `attachment; filename="batch-scoring-${id}.csv"`,
    });
  }

  /** The job, unless the caller may only see its own and this is not one of them (404). */
  private async visible(id: string, actor: Actor): Promise<BatchScoringJob> {
    const job = await this.store.find(id);
    const ownOnly = !actor.roles.some((role) => role !== 'scoring');
    if (!job || (ownOnly && job.requestedBy !== actor.sub)) {
      throw new NotRecorded('batch scoring job', id);
    }
    return job;
  }
}
