import { ApiPropertyOptional } from '@nestjs/swagger';
import { SourceRequest } from '../../../ledger/commands/source.request.dto';
import { NestedObject } from '../../../ledger/http/validation';

/** A promotion needs nothing but the deployment; where it came from may be recorded. */
export class PromoteDeploymentRequest {
  @ApiPropertyOptional({ type: SourceRequest })
  @NestedObject(() => SourceRequest, { optional: true })
  source?: SourceRequest;
}
