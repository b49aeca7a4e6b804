import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { evaluationPolicyDecider } from '../../../evaluation/evaluation-policy.decider';
import { derivedUuid } from '../../../ledger/commands/command-context';
import { RuleViolated, StateConflict } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { APP_CONFIG, type AppConfig } from '../../../config/app-config';
import { EVENT_LOG, type EventLog } from '../../../ledger/event-log.port';
import { ProjectionRunner } from '../../../ledger/projections/projection-runner';
import { approvalPolicyDecider, tierPolicyFor } from '../../approval-policy.decider';
import { approvalDecider } from '../../approval.decider';
import { modelFacts, modelVersionFacts } from '../../model-version-facts';
import { ApprovalRecord } from '../../queries/approvals/approval.read-model';
import { ApproveAutomaticallyCommand } from './approve-automatically.command';

/** Refusals that mean "not for automatic approval", answered as null rather than an error. */
const NOT_APPLICABLE = new Set([
  'automatic-approval-not-applicable',
  'automatic-approval-not-allowed',
  'passing-evaluation-required',
  'model-version-retired',
]);

@CommandHandler(ApproveAutomaticallyCommand)
export class ApproveAutomaticallyHandler implements ICommandHandler<ApproveAutomaticallyCommand> {
  constructor(
    private readonly writer: StreamWriter,
    @InjectRepository(ApprovalRecord) private readonly approvals: Repository<ApprovalRecord>,
    private readonly runner: ProjectionRunner,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async execute({ input, context }: ApproveAutomaticallyCommand): Promise<WriteResult | null> {
    const { model, version, environment, evaluationId } = input;
    // Cheap answers first: a tier with stages, or a version already approved or asked for here.
    const loaded = await this.writer.load(modelFacts, streams.model(model));
    const facts = modelVersionFacts(loaded, version);
    if (!facts) return null;
    const policy = await this.writer.state(approvalPolicyDecider, streams.approvalPolicy());
    if (tierPolicyFor(policy.tiers, facts.riskTier, environment).stages.length > 0) return null;
    // The approvals read model must hold every approval recorded before this command, or a
    // later passing run approves the version a second time (read-your-writes, docs/consistency.md).
    const head = await this.eventLog.headPosition();
    if (head) await this.runner.waitFor(head, this.config.readWaitTimeoutMs);
    const open = await this.approvals.count({
      where: { model, version, environment, status: In(['pending', 'approved']) },
    });
    if (open > 0) return null;
    // One approval per evaluation: the same evaluation sent twice finds its approval recorded.
    const approvalId = derivedUuid('automatic-approval', model, version, environment, evaluationId);
    try {
      const outcome = await this.writer.execute(
        streams.approval(approvalId),
        approvalDecider,
        async (reader) => ({
          type: 'RequestApproval' as const,
          data: { approvalId, model, version, environment, comment: null },
          modelVersion: modelVersionFacts(
            await reader.load(modelFacts, streams.model(model)),
            version,
          ),
          policy: (await reader.state(approvalPolicyDecider, streams.approvalPolicy())).tiers,
          evaluationPolicyVersion: (
            await reader.state(evaluationPolicyDecider, streams.evaluationPolicy())
          ).version,
          automaticFor: { evaluationId },
          actor: context.actor.sub,
          now: context.now,
        }),
        context,
        { fresh: true },
      );
      // Sent twice for the same evaluation: its approval is already recorded.
      if (outcome.events.length === 0) return null;
      return writeResult(approvalId, outcome);
    } catch (error) {
      // The policy or the evaluations moved since the first look: not for automatic approval.
      if (
        (error instanceof RuleViolated || error instanceof StateConflict) &&
        NOT_APPLICABLE.has(error.code)
      ) {
        return null;
      }
      throw error;
    }
  }
}
