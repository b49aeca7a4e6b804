import { classifyDatabaseError } from './database-errors';

describe('classifyDatabaseError', () => {
  it.each([
    [{ code: '22021', message: 'invalid byte sequence for encoding "UTF8": 0x00' }, 'bad-value'],
    [{ code: '22P02', message: 'invalid input syntax for type uuid' }, 'bad-value'],
    [
      { driverError: { code: '22003' }, message: 'value out of range for type bigint' },
      'bad-value',
    ],
    [
      { code: '54000', message: 'total size of jsonb array elements exceeds the maximum' },
      'bad-value',
    ],
    [{ code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:5432' }, 'unavailable'],
    [
      { code: '57P01', message: 'terminating connection due to administrator command' },
      'unavailable',
    ],
    [new Error('Connection terminated unexpectedly'), 'unavailable'],
    [new Error('Cannot use a pool after calling end on the pool'), 'unavailable'],
    [{ code: '23505', message: 'duplicate key value violates unique constraint' }, undefined],
    [new Error('something else'), undefined],
  ])('%o is %s', (error, expected) => {
    expect(classifyDatabaseError(error)).toBe(expected);
  });
});
