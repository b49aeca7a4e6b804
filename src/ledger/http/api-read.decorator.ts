import { applyDecorators } from '@nestjs/common';
import { ApiHeader, ApiResponse } from '@nestjs/swagger';
import { ApiProblems } from './api-problems.decorator';

/** Documents a read route: X-Ledger-Position and the problems any read can give. */
export function ApiRead(...extraProblems: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'X-Ledger-Position',
      required: false,
      description:
        'Wait until every read model has passed this ledger position (at most READ_WAIT_TIMEOUT_MS, default 5 s; then 503 with Retry-After)',
    }),
    ApiHeader({
      name: 'If-None-Match',
      required: false,
      description: 'An ETag from an earlier answer: 304 with no body while the answer is unchanged',
    }),
    ApiResponse({ status: 304, description: 'Unchanged since the ETag sent in If-None-Match' }),
    ApiProblems(...new Set([400, 401, 403, 503, ...extraProblems])),
  );
}
