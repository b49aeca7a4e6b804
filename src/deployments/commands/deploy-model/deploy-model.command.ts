import type { CommandContext } from '../../../ledger/commands/command-context';
import type { DeployModel } from '../../deployment.decider';

export class DeployModelCommand {
  constructor(
    readonly input: Omit<DeployModel['data'], 'deploymentId'>,
    readonly context: CommandContext,
  ) {}
}
