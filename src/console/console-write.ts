import type { Type } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { CommandContext } from '../ledger/commands/command-context';
import type { SourceRequest } from '../ledger/commands/source.request.dto';
import type { WriteResult } from '../ledger/commands/write-result';
import { type ProblemDetails, toProblem } from '../ledger/http/problem-details.filter';
import { validationPipe } from '../ledger/http/validation';
import type { ProjectionRunner } from '../ledger/projections/projection-runner';
import type { Html } from './html';

/*
 * The console's write flow, one for every area (README, "Console"): the form's fields as the
 * API's request DTO reads them, checked by the API's own validation, the API's command, the read
 * side caught up, then 303 back to a page (Post/Redirect/Get); a refusal shows the page again
 * with the API's sentence and status.
 */

/**
 * Form fields as the API's DTO reads them: no CSRF token (the DTO refuses unknown fields), a
 * blank text left out, the `numeric` fields' digits as numbers.
 */
export function formFields(
  body: Record<string, unknown> | undefined,
  numeric: readonly string[] = [],
): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(body ?? {})) {
    if (name === '_csrf') continue;
    if (typeof value === 'string' && value.trim() === '') continue;
    fields[name] =
      numeric.includes(name) && typeof value === 'string' && /^\d{1,6}$/.test(value)
        ? Number(value)
        : value;
  }
  return fields;
}

/** The API's own validation of its request class: 400 naming each field at fault. */
export async function validated<T>(
  metatype: Type<T>,
  value: Record<string, unknown>,
  type: 'body' | 'param' | 'query' = 'body',
): Promise<T> {
  return (await validationPipe().transform(value, { type, metatype })) as T;
}

/** The command's context with the form's `source` (where the change came from), when it has one. */
export function withSource(
  context: CommandContext,
  source: SourceRequest | undefined,
): CommandContext {
  return source ? { ...context, source: { ...source } } : context;
}

/** Where a write waits for the read side before answering. */
export interface ReadSide {
  runner: ProjectionRunner;
  timeoutMs: number;
}

export interface ConsoleWriteSteps {
  /** Validates the fields and executes the API's command. */
  run: () => Promise<WriteResult>;
  /** Where the browser goes once the read side has the write (Post/Redirect/Get). */
  location: () => string;
  /** The page again with the refusal (its status is the reply's); without it, the error page. */
  refused?: (problem: ProblemDetails) => Promise<Html>;
}

/**
 * Runs a console write: a refusal (any problem below 500) re-renders through `refused`, anything
 * else reaches the console's error page; done, 303 to `location` once the read side has caught up.
 */
export async function consoleWrite(
  reply: FastifyReply,
  readSide: ReadSide,
  steps: ConsoleWriteSteps,
): Promise<string> {
  let result: WriteResult;
  try {
    result = await steps.run();
  } catch (error) {
    const problem = toProblem(error);
    if (!steps.refused || problem.status >= 500) throw error;
    void reply.status(problem.status).header('Content-Type', 'text/html; charset=utf-8');
    return (await steps.refused(problem)).text;
  }
  await readSide.runner.waitFor(result.ledgerPosition, readSide.timeoutMs);
  void reply.status(303).header('Location', steps.location());
  return '';
}
