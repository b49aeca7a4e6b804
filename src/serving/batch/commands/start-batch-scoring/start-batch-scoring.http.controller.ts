import type { Readable } from 'node:stream';
import { Controller, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBody, ApiConsumes, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow } from '../../../../auth/access.decorators';
import { DeploymentPath } from '../../../../deployments/deployment-path.request.dto';
import { Command, type CommandContext } from '../../../../ledger/commands/command-context';
import { ApiProblems } from '../../../../ledger/http/api-problems.decorator';
import { InvalidRequest } from '../../../../ledger/ledger.errors';
import {
  BatchScoringAccepted,
  jobHref,
} from '../../queries/batch-scoring-jobs/batch-scoring-job.view';
import { StartBatchScoringCommand } from './start-batch-scoring.command';
import type { StartedBatch } from './start-batch-scoring.handler';
import { StartBatchScoringQuery } from './start-batch-scoring.request.dto';

@ApiTags('serving')
@Controller('deployments')
export class StartBatchScoringHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':id/batch-scoring')
  @HttpCode(202)
  @Allow('pipeline', 'scoring')
  @ApiOperation({
    summary:
      'Score a CSV with what the deployment serves (README, "Batch scoring"): the raw body, streamed (at most ARTIFACT_MAX_BYTES, else 413), a header row naming every feature of the served model (else 422 naming the column; other columns are ignored), one data row per line. The version and arm are resolved once, for the job\'s requestId, and serve the whole job. Answers 202 with the job to poll (Location); each row gets a decision receipt, written before its result line, and the result is a CSV of line,score,decision,label,receiptId. A row that does not fit (a value that is not a number for a numeric feature) fails the job naming the line and column, never the value; receipts of rows scored before it stay',
  })
  @ApiConsumes('text/csv')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiAcceptedResponse({
    type: BatchScoringAccepted,
    headers: {
      Location: {
        description: 'The job: GET /api/v1/batch-scoring/{id}',
        schema: { type: 'string' },
      },
    },
  })
  @ApiProblems(400, 401, 403, 404, 409, 413, 422, 429, 503)
  async start(
    @Param() path: DeploymentPath,
    @Query() query: StartBatchScoringQuery,
    @Req() request: FastifyRequest,
    @Command() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<BatchScoringAccepted> {
    const content = request.body as Readable | undefined;
    if (!content || typeof (content as Readable).pipe !== 'function') {
      throw new InvalidRequest('send the CSV file as the body, Content-Type text/csv', {
        body: ['must be the CSV file, Content-Type text/csv'],
      });
    }
    const { job }: StartedBatch = await this.commands.execute(
      new StartBatchScoringCommand(
        {
          deploymentId: path.id,
          requestId: query.requestId,
          subjectColumn: query.subjectColumn,
          content,
        },
        context,
      ),
    );
    const href = jobHref(job.id);
    void reply.header('Location', href);
    return { id: job.id, status: job.status, href };
  }
}
