import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../../auth/access.decorators';
import { packageRoot } from '../../integrity/verifier.http.controller';

/** The console's sources, where its styles live beside the pages they style. */
const CONSOLE_SOURCES = join(packageRoot(), 'src', 'console');

interface Asset {
  type: string;
  body: Buffer;
  etag: string;
}

function asset(type: string, body: Buffer | string): Asset {
  const bytes = Buffer.isBuffer(body) ? body : Buffer.from(body);
  return {
    type,
    body: bytes,
    etag: `"${createHash('sha256').update(bytes).digest('base64url').slice(0, 27)}"`,
  };
}

/** Every .css under src/console, base first, then by path: one stylesheet for every page. */
function stylesheet(): string {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir).sort()) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else if (name.endsWith('.css')) files.push(path);
    }
  };
  walk(CONSOLE_SOURCES);
  const base = join(CONSOLE_SOURCES, 'assets', 'base.css');
  return [base, ...files.filter((f) => f !== base)]
    .map((file) => readFileSync(file, 'utf8'))
    .join('\n');
}

/** Extra scripts pages register (the browser pack verifier): name → how to make its text. */
export const CONSOLE_SCRIPTS = new Map<string, () => string | Buffer>();

/**
 * The console's own styles and scripts, all served by Attest (nothing from a CDN): htmx, pinned
 * to major version 2 in package.json, and the stylesheet. Public and cacheable, like the keys.
 */
@Public()
@ApiExcludeController()
@Controller('console/assets')
export class ConsoleAssetsController {
  private readonly cache = new Map<string, Asset>();

  private load(name: string): Asset | undefined {
    const cached = this.cache.get(name);
    if (cached) return cached;
    let made: Asset | undefined;
    if (name === 'console.css') made = asset('text/css; charset=utf-8', stylesheet());
    else if (name === 'htmx.min.js')
      made = asset(
        'text/javascript; charset=utf-8',
        readFileSync(require.resolve('htmx.org/dist/htmx.min.js')),
      );
    else {
      const script = CONSOLE_SCRIPTS.get(name);
      if (script) made = asset('text/javascript; charset=utf-8', script());
    }
    if (made) this.cache.set(name, made);
    return made;
  }

  @Get(':name')
  serve(@Param('name') name: string, @Res() reply: FastifyReply): void {
    const found = this.load(name);
    if (!found) throw new NotFoundException(`no console asset named ${name}`);
    void reply
      .header('Content-Type', found.type)
      .header('Cache-Control', 'public, max-age=300')
      .header('ETag', found.etag);
    if (reply.request.headers['if-none-match'] === found.etag) {
      void reply.status(304).send();
      return;
    }
    void reply.send(found.body);
  }
}
