import type { Role } from '../../src/auth/roles';

/**
 * The people of a governance history, one or two per role, so four eyes can be satisfied:
 * two data scientists and two risk managers who can register, request and grant for each other.
 */
export const STAFF: readonly [sub: string, roles: Role[]][] = [
  ['ci', ['pipeline']],
  ['dana', ['data-scientist']],
  ['dev', ['data-scientist']],
  ['rick', ['risk-manager']],
  ['rosa', ['risk-manager']],
  ['carol', ['compliance-officer']],
  ['rita', ['regulator']],
];

/** STAFF and a few more people. */
export function staffWith(...more: [sub: string, roles: Role[]][]): [string, Role[]][] {
  return [...STAFF, ...more];
}
