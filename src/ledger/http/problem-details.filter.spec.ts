import { type ArgumentsHost, Logger } from '@nestjs/common';
import { DomainError } from '../ledger.errors';
import { StateConflict } from '../commands/rule-errors';
import { ProblemDetailsFilter, toProblem } from './problem-details.filter';

describe('toProblem', () => {
  it('keeps status, type and code when a domain error carries details of the same names', () => {
    const error = new StateConflict('approval-closed', 'the request is closed', {
      status: 'approved',
      code: 'shadow',
      type: 'shadow',
      approvalId: 'a1',
    });
    expect(toProblem(error)).toMatchObject({
      status: 409,
      code: 'approval-closed',
      type: 'urn:attest:problem:approval-closed',
      approvalId: 'a1',
    });
  });
});

/** A 500 raised on purpose, as the integrity log's IntegrityViolation is. */
class IntegrityViolation extends DomainError {
  readonly code = 'integrity-violation';
  readonly status = 500;
}

describe('ProblemDetailsFilter', () => {
  const host = (sent: { status?: number; body?: unknown }) =>
    ({
      switchToHttp: () => ({
        getRequest: () => ({ id: 'corr-1', method: 'GET', routeOptions: { url: '/x/:id' } }),
        getResponse: () => {
          const reply = {
            status: (status: number) => ((sent.status = status), reply),
            code: (status: number) => ((sent.status = status), reply),
            header: () => reply,
            type: () => reply,
            send: (body: unknown) => ((sent.body = body), reply),
          };
          return reply;
        },
      }),
    }) as unknown as ArgumentsHost;

  it('logs a 500 raised on purpose (an integrity violation) with its code, and answers it as problem+json', () => {
    const logged = jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);
    try {
      const sent: { status?: number; body?: unknown } = {};
      new ProblemDetailsFilter().catch(new IntegrityViolation('subtree 0/4'), host(sent));
      expect(sent.status).toBe(500);
      expect(logged).toHaveBeenCalledTimes(1);
      expect(logged.mock.calls[0][0]).toMatchObject({ code: 'integrity-violation' });
      expect(String(logged.mock.calls[0][1])).toContain('GET /x/:id');
      logged.mockClear();
      new ProblemDetailsFilter().catch(new StateConflict('approval-closed', 'closed'), host({}));
      expect(logged).not.toHaveBeenCalled();
    } finally {
      logged.mockRestore();
    }
  });
});
