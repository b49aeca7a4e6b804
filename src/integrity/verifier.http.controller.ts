import { Controller, Get, Header, Inject, Optional, Res, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Public } from '../auth/access.decorators';
import { DomainError } from '../ledger/ledger.errors';

/** Where `npm run build` (build:verifier) writes the one-file verifier, from the package root. */
export const VERIFIER_BUNDLE = join('dist', 'verifier', 'attest-verify.js');
/** Another file to serve instead (tests of a server whose build did not make it). */
export const VERIFIER_BUNDLE_PATH = Symbol('VerifierBundlePath');

export class VerifierNotBuilt extends DomainError {
  readonly code = 'verifier-not-built';
  readonly status = 503;

  constructor() {
    super(
      `the one-file verifier was not built on this server (${VERIFIER_BUNDLE}): its operator runs npm run build`,
    );
  }
}

/** The package root: the nearest directory above this file holding package.json. */
export function packageRoot(): string {
  let dir = __dirname;
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return dir;
}

/**
 * The offline verifier as one file that needs Node and nothing else (README: Audit packs and
 * the offline verifier): what every PDF's cover tells its reader to fetch. Public, like the
 * keys, and cacheable; its SHA-256 in Attest-Content-SHA256 and the ETag.
 */
@ApiTags('ledger')
@Public()
@Controller('verifier')
export class VerifierHttpController {
  private readonly path: string;
  private cached?: { mtimeMs: number; size: number; body: Buffer; sha256: string };

  constructor(@Optional() @Inject(VERIFIER_BUNDLE_PATH) path?: string) {
    this.path = path ?? join(packageRoot(), VERIFIER_BUNDLE);
  }

  @Get('attest-verify.js')
  @Header('Cache-Control', 'public, max-age=3600')
  @ApiOperation({
    summary:
      'The offline verifier as one JavaScript file for Node (no token): `node attest-verify.js <pack.pdf> --jwks <keys>` checks a PDF’s embedded signature, its attached evidence and the ledger proofs in it',
  })
  @ApiOkResponse({
    description: 'The verifier (text/javascript); Attest-Content-SHA256 is its SHA-256',
    content: { 'text/javascript': { schema: { type: 'string' } } },
  })
  @ApiResponse({ status: 503, description: 'The verifier was not built on this server' })
  async verifier(@Res({ passthrough: true }) reply: FastifyReply): Promise<StreamableFile> {
    const info = await stat(this.path).catch(() => undefined);
    if (!info) throw new VerifierNotBuilt();
    if (this.cached?.mtimeMs !== info.mtimeMs || this.cached.size !== info.size) {
      const body = await readFile(this.path);
      this.cached = {
        mtimeMs: info.mtimeMs,
        size: info.size,
        body,
        sha256: createHash('sha256').update(body).digest('hex'),
      };
    }
    void reply
      .header('Attest-Content-SHA256', this.cached.sha256)
      .header('ETag', `"${this.cached.sha256}"`)
      .header('Content-Disposition', 'attachment; filename="attest-verify.js"');
    return new StreamableFile(this.cached.body, { type: 'text/javascript; charset=utf-8' });
  }
}
