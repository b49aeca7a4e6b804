import { Module, type OnModuleInit } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { EvaluationRunner } from '../evaluation/runs/evaluation-runner';
import { automaticApprovalHook } from './commands/approve-automatically/automatic-approval.hook';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApproveAutomaticallyHandler } from './commands/approve-automatically/approve-automatically.handler';
import { DecideApprovalStageHandler } from './commands/decide-approval-stage/decide-approval-stage.handler';
import { DecideApprovalStageHttpController } from './commands/decide-approval-stage/decide-approval-stage.http.controller';
import { RequestApprovalHandler } from './commands/request-approval/request-approval.handler';
import { RequestApprovalHttpController } from './commands/request-approval/request-approval.http.controller';
import { SetApprovalPolicyHandler } from './commands/set-approval-policy/set-approval-policy.handler';
import { SetApprovalPolicyHttpController } from './commands/set-approval-policy/set-approval-policy.http.controller';
import { WithdrawApprovalHandler } from './commands/withdraw-approval/withdraw-approval.handler';
import { WithdrawApprovalHttpController } from './commands/withdraw-approval/withdraw-approval.http.controller';
import { ApprovalPolicyHttpController } from './queries/approval-policy/approval-policy.http.controller';
import { GetApprovalPolicyQueryHandler } from './queries/approval-policy/get-approval-policy.query-handler';
import {
  ListEvidenceEvaluationsQueryHandler,
  ListPendingApprovalsQueryHandler,
} from './queries/approval-inbox/approval-inbox.query-handler';
import { ApprovalTimelineProjection } from './queries/approvals-as-of/approval-timeline.projection';
import {
  GetApprovalAsOfQueryHandler,
  ListApprovalsAsOfQueryHandler,
} from './queries/approvals-as-of/approvals-as-of.query-handler';
import { ApprovalRecord } from './queries/approvals/approval.read-model';
import { ApprovalsHttpController } from './queries/approvals/approvals.http.controller';
import { ApprovalsProjection } from './queries/approvals/approvals.projection';
import {
  GetApprovalQueryHandler,
  ListApprovalsQueryHandler,
} from './queries/approvals/approvals.query-handler';

const commandHandlers = [
  SetApprovalPolicyHandler,
  RequestApprovalHandler,
  DecideApprovalStageHandler,
  WithdrawApprovalHandler,
  ApproveAutomaticallyHandler,
];
const queryHandlers = [
  GetApprovalPolicyQueryHandler,
  ListApprovalsQueryHandler,
  GetApprovalQueryHandler,
  ListApprovalsAsOfQueryHandler,
  GetApprovalAsOfQueryHandler,
  ListPendingApprovalsQueryHandler,
  ListEvidenceEvaluationsQueryHandler,
];
const projections = [ApprovalsProjection, ApprovalTimelineProjection];

@Module({
  imports: [TypeOrmModule.forFeature([ApprovalRecord])],
  controllers: [
    SetApprovalPolicyHttpController,
    ApprovalPolicyHttpController,
    RequestApprovalHttpController,
    DecideApprovalStageHttpController,
    WithdrawApprovalHttpController,
    ApprovalsHttpController,
  ],
  providers: [...commandHandlers, ...queryHandlers, ...projections],
})
export class ApprovalsModule implements OnModuleInit {
  constructor(
    private readonly modules: ModuleRef,
    private readonly commands: CommandBus,
  ) {}

  /**
   * A passing evaluation run approves a low-risk version whose tier has no human stage (README,
   * "Approval on a passing evaluation"); where the evaluation runs are not part of the
   * application (a projector-only context), there is nothing to hook.
   */
  onModuleInit(): void {
    let runner: EvaluationRunner;
    try {
      runner = this.modules.get(EvaluationRunner, { strict: false });
    } catch {
      return;
    }
    runner.addPassedHook(automaticApprovalHook(this.commands));
  }
}
