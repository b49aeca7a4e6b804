import { Body, Controller, Param, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext, newId } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { DatasetVersionPath } from '../register-dataset-version/register-dataset-version.request.dto';
import { RecordDatasetEvidenceCommand } from './record-dataset-evidence.command';
import {
  RecordDatasetProfileRequest,
  RecordDatasetValidationRequest,
  RetireDatasetVersionRequest,
} from './record-dataset-evidence.request.dto';

@ApiTags('datasets')
@Allow('pipeline', 'data-scientist')
@Controller('datasets/:name/versions/:version')
export class RecordDatasetEvidenceHttpController {
  constructor(private readonly commands: CommandBus) {}

  @Post('validations')
  @ApiOperation({ summary: 'Record the result of a validation suite run on a dataset version' })
  @ApiWrite({ problems: [404] })
  validate(
    @Param() path: DatasetVersionPath,
    @Body() body: RecordDatasetValidationRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const validationId = newId(context, 'dataset-validation');
    const data = {
      name: path.name,
      version: path.version,
      validationId,
      suite: body.suite,
      passed: body.passed,
      checks: body.checks.map((check) => ({
        name: check.name,
        passed: check.passed,
        detail: check.detail ?? null,
      })),
    };
    return this.record(
      { type: 'RecordDatasetValidation', data, actor: context.actor.sub, now: context.now },
      validationId,
      { ...context, ...(body.source ? { source: { ...body.source } } : {}) },
    );
  }

  @Post('profile')
  @ApiOperation({
    summary: 'Record feature distributions of a dataset version (the baseline for drift)',
  })
  @ApiWrite({ problems: [404] })
  profile(
    @Param() path: DatasetVersionPath,
    @Body() body: RecordDatasetProfileRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const profileId = newId(context, 'dataset-profile');
    const data = {
      name: path.name,
      version: path.version,
      profileId,
      features: body.features.map((feature) => ({
        name: feature.name,
        count: feature.count,
        missing: feature.missing,
        mean: feature.mean ?? null,
        stddev: feature.stddev ?? null,
        min: feature.min ?? null,
        max: feature.max ?? null,
        histogram: feature.histogram
          ? { edges: feature.histogram.edges, counts: feature.histogram.counts }
          : null,
        categories: feature.categories ?? null,
      })),
    };
    return this.record(
      { type: 'RecordDatasetProfile', data, actor: context.actor.sub, now: context.now },
      profileId,
      { ...context, ...(body.source ? { source: { ...body.source } } : {}) },
    );
  }

  @Post('retirement')
  @ApiOperation({ summary: 'Retire a dataset version: no new runs, validations or profiles' })
  @ApiWrite({ problems: [404] })
  retire(
    @Param() path: DatasetVersionPath,
    @Body() body: RetireDatasetVersionRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const data = { name: path.name, version: path.version, reason: body.reason };
    return this.record(
      { type: 'RetireDatasetVersion', data, actor: context.actor.sub, now: context.now },
      `${path.name}@${path.version}`,
      { ...context, ...(body.source ? { source: { ...body.source } } : {}) },
    );
  }

  private record(
    command: RecordDatasetEvidenceCommand['command'],
    resourceId: string,
    context: CommandContext,
  ): Promise<WriteResult> {
    return this.commands.execute(new RecordDatasetEvidenceCommand(command, resourceId, context));
  }
}
