import { Controller, Get, Header, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Public } from '../auth/access.decorators';
import { SIGNING_KEY } from './checkpoint-signer';
import { JwksView } from './integrity.views';
import type { SigningKey } from './signing-key';

/** Where verifiers get the keys that sign checkpoints: public, and outside the API prefix. */
@ApiTags('ledger')
@Public()
@Controller('.well-known')
export class JwksHttpController {
  constructor(
    private readonly dataSource: DataSource,
    @Inject(SIGNING_KEY) private readonly key: SigningKey,
  ) {}

  @Get('jwks.json')
  @Header('Cache-Control', 'public, max-age=300')
  @ApiOperation({
    summary:
      'Public keys that sign the ledger’s checkpoints: every key recorded in the ledger (retired ones too) and the one in use',
  })
  @ApiOkResponse({ type: JwksView })
  async jwks(): Promise<{ keys: object[] }> {
    const rows = (await this.dataSource.query(
      'SELECT key_id, public_jwk FROM ledger_signing_keys ORDER BY activated_at, key_id',
    )) as { key_id: string; public_jwk: object }[];
    const current = this.key.publicJwk;
    const keys = rows.map((row) => row.public_jwk);
    if (!rows.some((row) => row.key_id === current.kid)) keys.push({ ...current });
    return { keys };
  }
}
