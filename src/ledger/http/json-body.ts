import type { Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { InvalidRequest } from '../ledger.errors';

/**
 * How deeply a JSON body may nest objects and arrays. The deepest request body the API defines
 * is a few levels; free-form maps (hyperparameters, environment) get the rest. Deeper bodies
 * would overflow the stack of the recursive transformer and validator before they could refuse.
 */
export const MAX_JSON_DEPTH = 32;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The deepest nesting of objects and arrays in JSON text, read without parsing it. */
export function jsonDepth(text: Buffer, stopAbove = Infinity): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const byte = text[i];
    if (inString) {
      if (byte === BACKSLASH) i++;
      else if (byte === QUOTE) inString = false;
    } else if (byte === QUOTE) {
      inString = true;
    } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
      depth++;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > stopAbove) return deepest;
      }
    } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
      depth--;
    }
  }
  return deepest;
}

/**
 * The path of the first string (a value or a key) that PostgreSQL text and jsonb cannot hold as
 * sent: NUL, or a UTF-16 surrogate without its pair (stored, it would no longer match its hash).
 */
export function textFault(value: unknown, path = 'body'): string | undefined {
  if (typeof value === 'string') return storable(value) ? undefined : path;
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const fault = textFault(value[i], path === 'body' ? `${i}` : `${path}.${i}`);
      if (fault !== undefined) return fault;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    const at = path === 'body' ? key : `${path}.${key}`;
    if (!storable(key)) return path;
    const fault = textFault(inner, at);
    if (fault !== undefined) return fault;
  }
  return undefined;
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

function storable(text: string): boolean {
  return !text.includes('\u0000') && !LONE_SURROGATE.test(text);
}

/**
 * Parses JSON bodies as Fastify does (size limit; `__proto__` and `constructor.prototype` keys
 * refused), after refusing a body nested deeper than MAX_JSON_DEPTH with 400 naming `body`, and
 * a string no database column can hold with 400 naming its field.
 */
export function useJsonBodyParser(app: NestFastifyApplication, bodyLimit: number): void {
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser<Server>('application/json', { bodyLimit }, (request, bytes, done) => {
    if (jsonDepth(bytes, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      const message = `the JSON body nests objects and arrays deeper than ${MAX_JSON_DEPTH} levels`;
      done(new InvalidRequest(message, { body: [message] }));
      return;
    }
    parse(request, bytes.toString('utf8'), (error: Error | null, value?: unknown) => {
      if (error) return done(error);
      const field = textFault(value);
      if (field === undefined) return done(null, value);
      const message = `${field} holds a NUL character or an unpaired surrogate, which the ledger cannot store`;
      done(new InvalidRequest(message, { [field]: [message] }));
    });
  });
}
