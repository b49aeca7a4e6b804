import { Body, Controller, HttpCode, Put } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import type { EvaluationPolicy, TierEvaluationPolicy } from '../../evaluation-policy';
import { SetEvaluationPolicyCommand } from './set-evaluation-policy.command';
import {
  SetEvaluationPolicyRequest,
  type TierEvaluationPolicyRequest,
} from './set-evaluation-policy.request.dto';

@ApiTags('evaluation')
@Controller('policies')
export class SetEvaluationPolicyHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Put('evaluation')
  @HttpCode(200)
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary:
      'Set the rules an evaluation must meet (AUC, non-inferiority to the champion, calibration, fairness, minimum group size) per risk tier, with optional per-environment overrides; each change is a new version (the same policy again is a no-op)',
  })
  @ApiWrite({ status: 200 })
  set(
    @Body() body: SetEvaluationPolicyRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, tiers } = body;
    // Plain objects for the decider, which checks every value again (environments included).
    const tier = (policy: TierEvaluationPolicyRequest): TierEvaluationPolicy =>
      JSON.parse(JSON.stringify(policy)) as TierEvaluationPolicy;
    const policy: EvaluationPolicy = {
      low: tier(tiers.low),
      medium: tier(tiers.medium),
      high: tier(tiers.high),
    };
    return this.commands.execute(
      new SetEvaluationPolicyCommand(
        { tiers: policy },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
