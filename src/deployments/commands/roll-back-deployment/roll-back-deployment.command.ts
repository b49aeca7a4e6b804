import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RollBackDeployment } from '../../deployment.decider';

export class RollBackDeploymentCommand {
  constructor(
    readonly input: RollBackDeployment['data'],
    readonly context: CommandContext,
  ) {}
}
