/** The roles of docs/design.md §7, as they appear in a token's roles claim. */
export const ROLES = [
  'pipeline',
  'data-scientist',
  'risk-manager',
  'compliance-officer',
  'regulator',
  'admin',
] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}
