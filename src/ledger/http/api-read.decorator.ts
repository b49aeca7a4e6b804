import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
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
    ApiProblems(...new Set([400, 401, 403, 503, ...extraProblems])),
  );
}
