import { createHmac } from 'node:crypto';
import { SUBJECT_REF, SubjectHasher } from './subject-hasher';

const PEPPER = 'a-test-pepper-of-at-least-32-characters';

describe('SubjectHasher', () => {
  const hasher = new SubjectHasher(PEPPER);

  it('gives hmac-sha256:<64 hex> of the trimmed identifier under the pepper', () => {
    const expected = createHmac('sha256', PEPPER).update('CUST-0042817').digest('hex');
    expect(hasher.ref('CUST-0042817')).toBe(`hmac-sha256:${expected}`);
    expect(hasher.ref('CUST-0042817')).toMatch(SUBJECT_REF);
  });

  it('ignores surrounding spaces but keeps case', () => {
    expect(hasher.ref('  alice@example.com\n')).toBe(hasher.ref('alice@example.com'));
    expect(hasher.ref('Alice@example.com')).not.toBe(hasher.ref('alice@example.com'));
  });

  it('gives another ref under another pepper, and never contains the identifier', () => {
    const other = new SubjectHasher(`${PEPPER}-other`);
    expect(other.ref('alice')).not.toBe(hasher.ref('alice'));
    expect(hasher.ref('alice')).not.toContain('alice');
  });
});
