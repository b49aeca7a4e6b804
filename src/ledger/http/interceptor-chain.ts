import type { CallHandler, ExecutionContext, NestInterceptor } from '@nestjs/common';
import { type Observable, defer, from, isObservable, mergeAll } from 'rxjs';

/**
 * Several global interceptors run as one, outermost first. Nest wraps every interceptor it is
 * given in a deferred observable and a new async resource per request, whether or not that
 * interceptor has anything to do for it; most requests need none of them (a GET without
 * X-Ledger-Position, a write without Idempotency-Key, a view with no personal data), so the
 * chain pays Nest's wrapping once and each interceptor that does nothing just passes the call on.
 * Each interceptor still runs when its inner handler is subscribed to, as under Nest.
 */
export class InterceptorChain implements NestInterceptor {
  constructor(private readonly interceptors: readonly NestInterceptor[]) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    return this.handler(context, next, 0).handle();
  }

  private handler(context: ExecutionContext, last: CallHandler, index: number): CallHandler {
    if (index === this.interceptors.length) return last;
    const interceptor = this.interceptors[index];
    return {
      handle: () =>
        defer(() => {
          const result = interceptor.intercept(context, this.handler(context, last, index + 1)) as
            Observable<unknown> | Promise<Observable<unknown>>;
          return isObservable(result) ? result : from(result).pipe(mergeAll());
        }),
    };
  }
}
