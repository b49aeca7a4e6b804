import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import type { DatasetVersionRef } from '../../../datasets/dataset.events';
import { RuleViolated } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { type ModelState, modelDecider } from '../../../model-registry/model.decider';
import { deletionRequestDecider } from '../../deletion-request.decider';
import { requireRegisteredDatasetVersions } from '../registered-dataset-versions';
import { FulfilDeletionCommand } from './fulfil-deletion.command';

@CommandHandler(FulfilDeletionCommand)
export class FulfilDeletionHandler implements ICommandHandler<FulfilDeletionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: FulfilDeletionCommand): Promise<WriteResult> {
    await requireRegisteredDatasetVersions(
      this.writer,
      'replacementDatasetVersions',
      input.replacementDatasetVersions,
    );
    const retrainedOn = await this.trainingData(input.retrainedModels);
    const outcome = await this.writer.execute(
      streams.deletionRequest(input.requestId),
      deletionRequestDecider,
      {
        type: 'FulfilDeletion',
        data: input,
        retrainedOn,
        actor: context.actor.sub,
        now: context.now,
      },
      context,
    );
    return writeResult(input.requestId, outcome);
  }

  /**
   * The dataset versions each retrained model version was trained on, as its registration
   * records them (a registered version never changes, so no condition on the model stream is
   * needed). An unregistered one is refused (422 `unknown-model-version`), naming each.
   */
  private async trainingData(
    retrained: readonly { name: string; version: string }[],
  ): Promise<DatasetVersionRef[][]> {
    const states = new Map<string, ModelState>();
    for (const name of new Set(retrained.map((ref) => ref.name))) {
      states.set(name, await this.writer.state(modelDecider, streams.model(name)));
    }
    const errors: Record<string, string[]> = {};
    const trainedOn = retrained.map(({ name, version }, index) => {
      const registration = states.get(name)?.versions.get(version)?.registration;
      if (!registration) {
        errors[`retrainedModels.${index}`] = [
          `${name}@${version} is not a registered model version`,
        ];
        return [];
      }
      return registration.datasetVersions.map((ref) => ({ name: ref.name, version: ref.version }));
    });
    const unknown = Object.keys(errors).length;
    if (unknown > 0) {
      throw new RuleViolated(
        'unknown-model-version',
        `retrainedModels names ${unknown} model version(s) that are not registered`,
        { errors },
      );
    }
    return trainedOn;
  }
}
