import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ArtifactStorage } from '../../../artifacts/artifact-storage';
import { datasetDecider } from '../../../datasets/dataset.decider';
import { deploymentDecider } from '../../../deployments/deployment.decider';
import { PRODUCTION, deploymentId } from '../../../ledger/commands/identifiers';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { streams } from '../../../ledger/stream-names';
import { modelDecider } from '../../../model-registry/model.decider';
import { evaluationPolicyDecider } from '../../evaluation-policy.decider';
import { planEvaluation } from '../../runs/evaluation-plan';
import { type EvaluationRun, EvaluationRunStore } from '../../runs/evaluation-run.store';
import { EvaluationRunner } from '../../runs/evaluation-runner';
import { StartEvaluationRunCommand } from './start-evaluation-run.command';

/**
 * Checks the request against the ledger and the content store, records a queued run (or finds
 * the run of the same evaluation already under way or done) and starts it without waiting
 * (README, "Evaluation runs"). Nothing is recorded when a check refuses.
 */
@CommandHandler(StartEvaluationRunCommand)
export class StartEvaluationRunHandler implements ICommandHandler<StartEvaluationRunCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly storage: ArtifactStorage,
    private readonly store: EvaluationRunStore,
    private readonly runner: EvaluationRunner,
  ) {}

  async execute({ input, context }: StartEvaluationRunCommand): Promise<EvaluationRun> {
    const environment = input.environment ?? PRODUCTION;
    const [model, dataset, deployment, policy] = await Promise.all([
      this.writer.state(modelDecider, streams.model(input.model)),
      this.writer.state(datasetDecider, streams.dataset(input.dataset.name)),
      this.writer.state(
        deploymentDecider,
        streams.deployment(deploymentId(input.model, environment)),
      ),
      this.writer.state(evaluationPolicyDecider, streams.evaluationPolicy()),
    ]);
    const plan = await planEvaluation(input, {
      model,
      dataset,
      serving: deployment.status === 'active' ? deployment.version : null,
      policy,
      storedPath: async (digest) => {
        const stored = await this.storage.store.stat(digest.slice('sha256:'.length));
        return stored?.path ?? null;
      },
    });
    const { run, created } = await this.store.claim({
      runId: uuidv7(),
      model: input.model,
      version: input.version,
      environment,
      settings: plan.settings,
      inputs: plan.inputs,
      digest: plan.digest,
      rowsTotal: plan.job.dataset.rows,
      requestedBy: context.actor.sub,
      requestedAt: new Date(context.now),
    });
    if (created) void this.runner.start(run, plan, context);
    return run;
  }
}
