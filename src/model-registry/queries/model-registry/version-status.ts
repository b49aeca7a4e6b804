export type ModelVersionStatus = 'registered' | 'approved' | 'deployed' | 'retired';
export const MODEL_VERSION_STATUSES = ['registered', 'approved', 'deployed', 'retired'] as const;

/**
 * Retired wins; then serving in an active deployment; then holding any approval. Every view of a
 * version takes its status from here, through `versionStandings`.
 */
export function versionStatus(facts: {
  retired: boolean;
  serving: boolean;
  approved: boolean;
}): ModelVersionStatus {
  if (facts.retired) return 'retired';
  if (facts.serving) return 'deployed';
  return facts.approved ? 'approved' : 'registered';
}
