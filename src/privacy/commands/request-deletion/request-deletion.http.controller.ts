import { Body, Controller, Post } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Allow } from '../../../auth/access.decorators';
import { Command, type CommandContext, newId } from '../../../ledger/commands/command-context';
import type { WriteResult } from '../../../ledger/commands/write-result';
import { ApiWrite } from '../../../ledger/http/api-write.decorator';
import { SubjectHasher } from '../../subject-hasher';
import { RequestDeletionCommand } from './request-deletion.command';
import { RequestDeletionRequest } from './request-deletion.request.dto';

@ApiTags('privacy')
@Controller('privacy/deletion-requests')
export class RequestDeletionHttpController {
  constructor(
    private readonly commands: CommandBus,
    private readonly subjects: SubjectHasher,
  ) {}

  @Post()
  @Allow('compliance-officer', 'admin')
  @ApiOperation({
    summary:
      'Record a data subject’s deletion request (due 30 days after receipt); the subject is kept only as a keyed hash',
  })
  @ApiWrite()
  request(
    @Body() body: RequestDeletionRequest,
    @Command() context: CommandContext,
  ): Promise<WriteResult> {
    const { source, subjectId, receivedOn, channel } = body;
    // The raw identifier ends here: only its keyed hash goes on into the command and the ledger.
    const subjectRef = this.subjects.ref(subjectId);
    return this.commands.execute(
      new RequestDeletionCommand(
        {
          requestId: newId(context, 'deletion-request'),
          subjectRef,
          receivedOn,
          channel: channel ?? null,
        },
        { ...context, ...(source ? { source: { ...source } } : {}) },
      ),
    );
  }
}
