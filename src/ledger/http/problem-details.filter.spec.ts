import { StateConflict } from '../commands/rule-errors';
import { toProblem } from './problem-details.filter';

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
