import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { RuleViolated } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { streams } from '../../../ledger/stream-names';
import { datasetDecider } from '../../dataset.decider';
import { RegisterDatasetVersionCommand } from './register-dataset-version.command';

@CommandHandler(RegisterDatasetVersionCommand)
export class RegisterDatasetVersionHandler implements ICommandHandler<RegisterDatasetVersionCommand> {
  constructor(private readonly writer: StreamWriter) {}

  async execute({ input, context }: RegisterDatasetVersionCommand): Promise<WriteResult> {
    await this.checkParents(input.name, input.version, input.parents);
    const outcome = await this.writer.execute(
      streams.dataset(input.name),
      datasetDecider,
      { type: 'RegisterDatasetVersion', data: input, actor: context.actor.sub, now: context.now },
      context,
    );
    return writeResult(`${input.name}@${input.version}`, outcome);
  }

  /** Lineage must point at recorded versions: each parent is read from its own stream. */
  private async checkParents(
    name: string,
    version: string,
    parents: RegisterDatasetVersionCommand['input']['parents'],
  ): Promise<void> {
    const missing: string[] = [];
    for (const parent of parents) {
      if (parent.name === name && parent.version === version) {
        missing.push(`${parent.name}@${parent.version} is this version itself`);
        continue;
      }
      const state = await this.writer.state(datasetDecider, streams.dataset(parent.name));
      if (!state.versions.has(parent.version))
        missing.push(`${parent.name}@${parent.version} is not registered`);
    }
    if (missing.length > 0) {
      throw new RuleViolated('unknown-parent', `parents must be registered dataset versions`, {
        errors: { parents: missing },
      });
    }
  }
}
