import type { CommandContext } from '../../../ledger/commands/command-context';
import type { PromoteDeployment } from '../../deployment.decider';

export class PromoteDeploymentCommand {
  constructor(
    readonly input: PromoteDeployment['data'],
    readonly context: CommandContext,
  ) {}
}
