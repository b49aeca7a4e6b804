import { QueryFailedError } from 'typeorm';
import {
  classifyProjectionError,
  describeProjectionError,
  withoutLiterals,
} from './projection-faults';

const pgError = (code: string, message: string) =>
  new QueryFailedError('INSERT INTO t VALUES ($1)', ['alice@example.com'], {
    code,
    message,
  } as unknown as Error);

describe('classifyProjectionError', () => {
  it.each([
    ['22003', 'deterministic'],
    ['22P02', 'deterministic'],
    ['23505', 'deterministic'],
    ['23502', 'deterministic'],
    ['54000', 'deterministic'],
    ['40001', 'transient'],
    ['40P01', 'transient'],
    ['57P01', 'transient'],
    ['08006', 'transient'],
    ['53300', 'transient'],
    ['55P03', 'transient'],
    ['42P01', 'transient'],
    ['XX000', 'transient'],
  ])('SQLSTATE %s is %s', (code, expected) => {
    expect(classifyProjectionError(pgError(code, 'x'))).toBe(expected);
    expect(classifyProjectionError(Object.assign(new Error('x'), { code }))).toBe(expected);
  });

  it('takes a lost connection or a socket error as transient, a handler’s exception as deterministic', () => {
    expect(classifyProjectionError(new Error('Connection terminated unexpectedly'))).toBe(
      'transient',
    );
    expect(classifyProjectionError(Object.assign(new Error('x'), { code: 'ECONNRESET' }))).toBe(
      'transient',
    );
    expect(classifyProjectionError(new TypeError('Cannot read properties of undefined'))).toBe(
      'deterministic',
    );
    expect(classifyProjectionError('a string thrown')).toBe('deterministic');
  });

  it('takes a handler’s exception with a Node error code (ERR_…, an errno) as deterministic', () => {
    const thrown = (run: () => unknown): unknown => {
      try {
        run();
      } catch (error) {
        return error;
      }
      throw new Error('did not throw');
    };
    const fromBuffer = thrown(() => Buffer.from(undefined as unknown as string));
    const fromUrl = thrown(() => new URL('x'));
    expect((fromBuffer as { code: string }).code).toBe('ERR_INVALID_ARG_TYPE');
    expect((fromUrl as { code: string }).code).toBe('ERR_INVALID_URL');
    expect(classifyProjectionError(fromBuffer)).toBe('deterministic');
    expect(classifyProjectionError(fromUrl)).toBe('deterministic');
    expect(classifyProjectionError(Object.assign(new Error('x'), { code: 'ERR_X' }))).toBe(
      'deterministic',
    );
    expect(
      classifyProjectionError(Object.assign(new Error('x'), { code: 'EPERM', syscall: 'open' })),
    ).toBe('deterministic');
    expect(
      classifyProjectionError(
        Object.assign(new Error('x'), { code: 'ECONNREFUSED', syscall: 'connect' }),
      ),
    ).toBe('transient');
  });
});

describe('describeProjectionError', () => {
  it('keeps the SQLSTATE and the message without the value PostgreSQL quotes', () => {
    expect(
      describeProjectionError(
        pgError('22003', 'value "9223372036854775808" is out of range for type bigint'),
      ),
    ).toEqual({ code: '22003', message: 'value "?" is out of range for type bigint' });
    expect(
      describeProjectionError(pgError('22P02', 'invalid input syntax for type uuid: "alice"')),
    ).toEqual({ code: '22P02', message: 'invalid input syntax for type uuid: "?"' });
  });

  it('names a handler’s exception by its class', () => {
    expect(describeProjectionError(new TypeError('x is not a function')).code).toBe('TypeError');
  });
});

describe('withoutLiterals', () => {
  it.each([
    ['owner "Alice Citizen" is unknown', 'owner "?" is unknown'],
    ["reading 'surname'", "reading '?'"],
    ['no account 4111111111111111 for bob@example.com', 'no account ? for ?'],
    ['event 0192f1a4-7c3e-7d2a-9b1e-2f6a1c9d8e7f failed', 'event ? failed'],
    ['unknown status: approved by carol', 'unknown status: ?'],
    ['value "unterminated', 'value "?"'],
    ['first line\nsecond line with "secret"', 'first line'],
  ])('%s → %s', (message, expected) => {
    expect(withoutLiterals(message)).toBe(expected);
  });

  it('keeps at most 300 characters', () => {
    expect(withoutLiterals('word '.repeat(200))).toHaveLength(300);
  });
});
