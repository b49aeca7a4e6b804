import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { ModelPath } from '../../model-path.request.dto';
import { RegisterModelVersionCommand } from './register-model-version.command';
import { RegisterModelVersionRequest } from './register-model-version.request.dto';

@ApiTags('models')
@Controller('models')
export class RegisterModelVersionHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post(':name/versions')
  @Allow('pipeline', 'data-scientist')
  @ApiOperation({
    summary:
      'Register an immutable model version from a completed training run of this model (the same registration again is a no-op); answers id <name>@<version>',
    description:
      'A version already registered with other facts is 409 model-version-immutable: `errors` names each differing field with the registered and the given value (`differs` the top-level fields); nothing is appended.',
  })
  @ApiWrite()
  register(
    @Param() path: ModelPath,
    @Body() body: RegisterModelVersionRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, ...request } = body;
    return this.commands.execute(
      new RegisterModelVersionCommand(
        {
          model: path.name,
          version: request.version,
          runId: request.runId,
          artifactDigest: request.artifactDigest ?? null,
          riskTier: request.riskTier,
          decisionClass: request.decisionClass,
          personalInformationKinds: [...request.personalInformationKinds],
          decisions: request.decisions,
          intendedUse: request.intendedUse,
          limitations: [...request.limitations],
          owner: request.owner,
          vendor: request.vendor ?? null,
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
