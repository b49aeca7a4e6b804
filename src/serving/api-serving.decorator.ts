import { applyDecorators } from '@nestjs/common';
import { ApiHeader } from '@nestjs/swagger';
import { ApiProblems } from '../ledger/http/api-problems.decorator';

/** Documents a scoring route: Idempotency-Key (a retry answers the same receipts) and its problems. */
export function ApiServing(): MethodDecorator {
  return applyDecorators(
    ApiHeader({
      name: 'Idempotency-Key',
      required: false,
      description:
        'Retry-safe predictions: the same key and body answer the first prediction again (the same scores and receipt ids) and store no new receipt; the same key with another body is a 422. Scoped to the caller.',
    }),
    ApiProblems(400, 401, 403, 404, 409, 422, 429, 503),
  );
}
