import { versionStatus } from './version-status';

describe('model version status', () => {
  it('is retired first, then deployed, then approved, else registered', () => {
    expect(versionStatus({ retired: true, serving: true, approved: true })).toBe('retired');
    expect(versionStatus({ retired: false, serving: true, approved: false })).toBe('deployed');
    expect(versionStatus({ retired: false, serving: false, approved: true })).toBe('approved');
    expect(versionStatus({ retired: false, serving: false, approved: false })).toBe('registered');
  });
});
