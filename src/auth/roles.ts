/** The roles of docs/design.md §7, as they appear in a token's roles claim. */
export const ROLES = [
  'pipeline',
  'data-scientist',
  'risk-manager',
  'compliance-officer',
  'regulator',
  'admin',
  /** Applications that ask for decisions (a loan origination system): scoring and nothing else. */
  'scoring',
] as const;

export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** Every role that reads the ledger: all but `scoring`, which asks for decisions and nothing else. */
export const READING_ROLES = ROLES.filter((role) => role !== 'scoring');
