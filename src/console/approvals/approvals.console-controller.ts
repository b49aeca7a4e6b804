import { Body, Controller, Get, Header, Inject, Param, Post, Res } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import type { FastifyReply } from 'fastify';
import { ApprovalPath } from '../../approvals/approval-path.request.dto';
import { DecideApprovalStageCommand } from '../../approvals/commands/decide-approval-stage/decide-approval-stage.command';
import { DecideApprovalStageHttpController } from '../../approvals/commands/decide-approval-stage/decide-approval-stage.http.controller';
import { DecideApprovalStageRequest } from '../../approvals/commands/decide-approval-stage/decide-approval-stage.request.dto';
import { RequestApprovalCommand } from '../../approvals/commands/request-approval/request-approval.command';
import { RequestApprovalHttpController } from '../../approvals/commands/request-approval/request-approval.http.controller';
import {
  ModelVersionPath,
  RequestApprovalRequest,
} from '../../approvals/commands/request-approval/request-approval.request.dto';
import {
  type EvidenceEvaluation,
  ListEvidenceEvaluationsQuery,
  ListPendingApprovalsQuery,
} from '../../approvals/queries/approval-inbox/approval-inbox.query-handler';
import { ListApprovalsAsOfQuery } from '../../approvals/queries/approvals-as-of/approvals-as-of.query-handler';
import type { ApprovalRecord } from '../../approvals/queries/approvals/approval.read-model';
import { GetApprovalQuery } from '../../approvals/queries/approvals/approvals.query-handler';
import { APP_CONFIG, type AppConfig } from '../../config/app-config';
import { Command, type CommandContext } from '../../ledger/commands/command-context';
import { PRODUCTION, UUID } from '../../ledger/commands/identifiers';
import type { WriteResult } from '../../ledger/commands/write-result';
import { ProjectionRunner } from '../../ledger/projections/projection-runner';
import { ConsoleController, ConsoleWrite } from '../console-access';
import { Console, type ConsoleContext, createConsoleContext } from '../console-context';
import { consoleWrite, formFields, type ReadSide, validated } from '../console-write';
import type { HtmlValue } from '../html';
import { versionPath } from '../inventory/inventory.pages';
import { page } from '../layout';
import {
  type Refusal,
  decidedNotice,
  inboxBody,
  inboxItems,
  refusalNotice,
} from './approvals-html';

/** The most pending requests one inbox shows (the oldest first). */
export const INBOX_LIMIT = 500;
/** The most of them shown with their evidence and a decision form (the oldest first). */
export const INBOX_CARDS = 50;
const INBOX = '/console/approvals';

/**
 * The approvals inbox and its writes (README, "Console"): the same queries and commands as the
 * REST API, the four-eyes rule from the approvals capability.
 */
@ConsoleController()
@Controller('console')
export class ApprovalsConsoleController {
  constructor(
    private readonly queries: QueryBus,
    private readonly commands: CommandBus,
    private readonly runner: ProjectionRunner,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('approvals')
  @Header('Content-Type', 'text/html; charset=utf-8')
  async inbox(@Console() ctx: ConsoleContext): Promise<string> {
    const decided = ctx.asOf ? undefined : ctx.query.get('decided');
    let notices: HtmlValue = '';
    if (decided && UUID.test(decided)) {
      const approval = await this.queries
        .execute(new GetApprovalQuery(decided))
        .catch(() => undefined);
      notices = approval ? decidedNotice(approval, ctx.actor.sub) : '';
    }
    return (await this.inboxPage(ctx, notices)).text;
  }

  /** Grants or rejects a pending stage as POST /approvals/:id/decisions does. */
  @Post('approvals/:id/decisions')
  @ConsoleWrite(DecideApprovalStageHttpController, 'decide')
  async decide(
    @Param('id') id: string,
    @Body() body: Record<string, unknown> | undefined,
    @Command() context: CommandContext,
    @Console() ctx: ConsoleContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const typed = typeof body?.comment === 'string' ? body.comment : '';
    return consoleWrite(reply, this.readSide(), {
      run: async () => {
        const path = await validated(ApprovalPath, { id }, 'param');
        const request = await validated(DecideApprovalStageRequest, formFields(body, ['stage']));
        const { decision, stage, comment } = request;
        return (await this.commands.execute(
          new DecideApprovalStageCommand(
            { approvalId: path.id, decision, stage: stage ?? null, comment: comment ?? null },
            context,
          ),
        )) as WriteResult;
      },
      location: () => `${INBOX}?decided=${id}`,
      // A refusal: the inbox again, as it stands, with the API's own sentence and status.
      refused: (problem) => {
        const fields = (problem as { errors?: Record<string, string[]> }).errors;
        const refusal: Refusal = { approvalId: id, comment: typed };
        const inboxCtx = createConsoleContext({
          actor: ctx.actor,
          csrfToken: ctx.csrfToken,
          url: INBOX,
        });
        return this.inboxPage(inboxCtx, refusalNotice(problem.detail, fields), refusal);
      },
    });
  }

  /**
   * Requests approval of a version as POST /models/:name/versions/:version/approval-requests
   * does, from the version's page; back to that page once the read side has it. A refusal is
   * the API's problem on a page (ConsoleErrorFilter).
   */
  @Post('models/:name/versions/:version/approval-requests')
  @ConsoleWrite(RequestApprovalHttpController, 'request')
  async requestApproval(
    @Param('name') name: string,
    @Param('version') version: string,
    @Body() body: Record<string, unknown> | undefined,
    @Command() context: CommandContext,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<string> {
    const path = await validated(ModelVersionPath, { name, version }, 'param');
    return consoleWrite(reply, this.readSide(), {
      run: async () => {
        const request = await validated(RequestApprovalRequest, formFields(body));
        return (await this.commands.execute(
          new RequestApprovalCommand(
            {
              model: path.name,
              version: path.version,
              environment: request.environment ?? PRODUCTION,
              comment: request.comment ?? null,
            },
            context,
          ),
        )) as WriteResult;
      },
      location: () => versionPath(path.name, path.version),
    });
  }

  private readSide(): ReadSide {
    return { runner: this.runner, timeoutMs: this.config.readWaitTimeoutMs };
  }

  /**
   * At most two reads whatever the number of requests: every pending request (now, or as it
   * stood at the instant), then the evaluations behind the evidence of those this person may
   * decide.
   */
  private async inboxPage(ctx: ConsoleContext, notices: HtmlValue, refusal?: Refusal) {
    const page_ = { limit: INBOX_LIMIT };
    const listed: { items: ApprovalRecord[]; nextCursor: string | null } = ctx.asOf
      ? await this.queries.execute(
          new ListApprovalsAsOfQuery(ctx.asOf, { status: 'pending' }, page_),
        )
      : await this.queries.execute(new ListPendingApprovalsQuery(page_));
    const barred = inboxItems(listed.items, ctx.actor);
    const mine = barred
      .filter((item) => item.bars.length === 0)
      .slice(0, INBOX_CARDS)
      .map((item) => item.approval);
    const evaluations =
      mine.length > 0
        ? await this.queries.execute(new ListEvidenceEvaluationsQuery(mine))
        : ({} as Record<string, EvidenceEvaluation[]>);
    const items = barred.map((item) => ({
      ...item,
      evaluations: evaluations[item.approval.id] ?? [],
    }));
    return page(ctx, {
      title: 'Approvals',
      section: 'approvals',
      body: inboxBody(ctx, items, {
        notices,
        more: listed.nextCursor !== null,
        cards: INBOX_CARDS,
        refusal,
      }),
    });
  }
}
