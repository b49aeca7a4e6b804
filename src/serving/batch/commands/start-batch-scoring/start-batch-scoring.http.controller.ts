import type { Readable } from 'node:stream';
import { Controller, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import {
  ApiAcceptedResponse,
  ApiBody,
  ApiConsumes,
  ApiHeader,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Allow } from '../../../../auth/access.decorators';
import { SERVER_PEPPER } from '../../../../config/config.module';
import type { SubjectPepper } from '../../../../config/subject-pepper';
import { DeploymentPath } from '../../../../deployments/deployment-path.request.dto';
import { Command, type CommandContext } from '../../../../ledger/commands/command-context';
import {
  IDEMPOTENCY_KEY_HEADER,
  idempotencyKeyDigest,
} from '../../../../ledger/commands/idempotency.interceptor';
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
  constructor(
    private readonly commands: CommandBus,
    @Inject(SERVER_PEPPER) private readonly pepper: SubjectPepper,
  ) {}

  @Post(':id/batch-scoring')
  @HttpCode(202)
  @Allow('pipeline', 'scoring')
  @ApiOperation({
    summary:
      'Score a CSV with what the deployment serves (README, "Batch scoring"): the raw body, streamed (at most ARTIFACT_MAX_BYTES, else 413), a header row naming every feature of the served model (else 422 naming the column; other columns are ignored), one data row per line. The version and arm are resolved once, for the job\'s requestId, and serve the whole job. Answers 202 with the job to poll (Location); each row gets a decision receipt, written before its result line, and the result is a CSV of line,score,decision,label,receiptId. A row that does not fit (a value that is not a number for a numeric feature) fails the job naming the line and column, never the value; receipts of rows scored before it stay',
  })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description:
      "Retry-safe starts: the job's id is derived from the caller and the key; the same key with the same bytes and query answers the first job again (202, same id and Location) and keeps no second upload; the same key with other bytes or another query is a 422 idempotency-key-reused. Scoped to the caller.",
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
    // The IdempotencyInterceptor checked the key's form and leaves a streamed body to this route.
    const header = request.headers[IDEMPOTENCY_KEY_HEADER];
    const key = Array.isArray(header) ? header[0] : header;
    const { job, replayed }: StartedBatch = await this.commands.execute(
      new StartBatchScoringCommand(
        {
          deploymentId: path.id,
          requestId: query.requestId,
          subjectColumn: query.subjectColumn,
          ...(key !== undefined
            ? { idempotencyKey: idempotencyKeyDigest(this.pepper.secret, key) }
            : {}),
          content,
        },
        context,
      ),
    );
    const href = jobHref(job.id);
    void reply.header('Location', href);
    if (replayed) void reply.header('Idempotent-Replayed', 'true');
    return { id: job.id, status: job.status, href };
  }
}
