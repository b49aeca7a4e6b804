import { Body, Controller, HttpCode, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import type { RecordedTierPolicy } from '../../approval.events';
import { SetApprovalPolicyCommand } from './set-approval-policy.command';
import { SetApprovalPolicyRequest, TierPolicyRequest } from './set-approval-policy.request.dto';

@ApiTags('approvals')
@Controller('policies')
export class SetApprovalPolicyHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Put('approval')
  @HttpCode(200)
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary:
      'Set the approval stages, evaluation requirement and whether grants need a comment, per risk tier and optionally per environment (the same policy again is a no-op); applies to requests made from now on',
  })
  @ApiWrite({ status: 200 })
  set(
    @Body() body: SetApprovalPolicyRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, tiers } = body;
    const tier = (policy: TierPolicyRequest): RecordedTierPolicy => ({
      stages: [...policy.stages],
      requirePassingEvaluation: policy.requirePassingEvaluation,
      ...(policy.requireGrantComment === undefined
        ? {}
        : { requireGrantComment: policy.requireGrantComment }),
      // Plain objects: the decider checks each environment's settings.
      ...(policy.environments === undefined
        ? {}
        : {
            environments: JSON.parse(
              JSON.stringify(policy.environments),
            ) as RecordedTierPolicy['environments'],
          }),
    });
    return this.commands.execute(
      new SetApprovalPolicyCommand(
        { tiers: { low: tier(tiers.low), medium: tier(tiers.medium), high: tier(tiers.high) } },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
