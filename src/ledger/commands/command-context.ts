import { ExecutionContext, createParamDecorator } from '@nestjs/common';
import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { v7 as uuidv7 } from 'uuid';
import type { Actor, JsonObject } from '../event-log.port';

/** Who asked, when, and under which ids: what every event of a command carries (docs/design.md §3). */
export interface CommandContext {
  readonly actor: Actor;
  /** ISO instant the command was received; deciders take time from here, never from a clock. */
  readonly now: string;
  readonly correlationId: string;
  /** This command's id: the causation id of every event it produces. */
  readonly commandId: string;
  /**
   * With an Idempotency-Key, its keyed digest (never the raw key): event and resource ids are
   * derived from it, so a retry repeats them.
   */
  readonly idempotencyKey?: string;
  readonly source?: JsonObject;
}

export interface CommandRequest extends FastifyRequest {
  actor?: Actor;
  /** Set on arrival from the application's clock. */
  receivedAt?: Date;
  /** The keyed digest of the request's Idempotency-Key, set by the IdempotencyInterceptor. */
  idempotencyKey?: string;
}

/** A lower-case UUID (version 8 layout) derived from its parts: stable across retries. */
export function derivedUuid(...parts: string[]): string {
  const hex = createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 32);
  const variant = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-8${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A new id for something this command creates: `purpose` tells apart several from one command. */
export function newId(context: CommandContext, purpose: string): string {
  return context.idempotencyKey
    ? derivedUuid('resource', context.actor.sub, context.idempotencyKey, purpose)
    : uuidv7();
}

export function commandContextOf(
  request: CommandRequest,
  now = request.receivedAt ?? new Date(),
): CommandContext {
  if (!request.actor) throw new Error('command context needs the access guard to have run');
  const key = request.idempotencyKey;
  return {
    actor: { sub: request.actor.sub, roles: [...request.actor.roles] },
    now: now.toISOString(),
    correlationId: String(request.id),
    commandId: key ? derivedUuid('command', request.actor.sub, key) : uuidv7(),
    ...(key ? { idempotencyKey: key } : {}),
  };
}

/** The verified caller and request ids as a command context. */
export const Command = createParamDecorator(
  (_data: unknown, context: ExecutionContext): CommandContext =>
    commandContextOf(context.switchToHttp().getRequest<CommandRequest>()),
);
