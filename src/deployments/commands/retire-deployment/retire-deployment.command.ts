import type { CommandContext } from '../../../ledger/commands/command-context';
import type { RetireDeployment } from '../../deployment.decider';

export class RetireDeploymentCommand {
  constructor(
    readonly input: RetireDeployment['data'],
    readonly context: CommandContext,
  ) {}
}
