import { applyDecorators } from '@nestjs/common';
import { ApiCreatedResponse, ApiHeader, ApiOkResponse } from '@nestjs/swagger';
import { WriteResult } from '../commands/write-result';
import { ApiProblems } from './api-problems.decorator';

/** Documents a command route: its answer, Idempotency-Key, and the problems any write can give. */
export function ApiWrite(
  options: { status?: 200 | 201; problems?: number[] } = {},
): MethodDecorator {
  const answer =
    options.status === 200
      ? ApiOkResponse({ type: WriteResult })
      : ApiCreatedResponse({ type: WriteResult });
  return applyDecorators(
    answer,
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Retry-safe writes: the same key and body answer the first result again and append nothing; the same key with another body is a 422. Scoped to the caller.',
    }),
    ApiProblems(...new Set([400, 401, 403, 409, 422, 503, ...(options.problems ?? [])])),
  );
}
