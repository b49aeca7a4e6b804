import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Public } from '../auth/access.decorators';
import { CheckpointSigner } from './checkpoint-signer';
import { JwksView } from './integrity.views';

/** Where verifiers get the keys that sign checkpoints: public, and outside the API prefix. */
@ApiTags('ledger')
@Public()
@Controller('.well-known')
export class JwksHttpController {
  constructor(private readonly signer: CheckpointSigner) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary:
      'Public keys that sign the ledger’s checkpoints: every key recorded in the ledger (retired ones too) and the one in use',
  })
  @ApiOkResponse({ type: JwksView })
  jwks(): Promise<{ keys: object[] }> {
    return this.signer.jwks();
  }
}
