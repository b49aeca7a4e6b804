import { PRODUCTION } from '../../../ledger/commands/identifiers';

export const ADM_GAP_CODES = [
  'no-personal-information-kinds',
  'no-approval',
  'retired-but-serving',
  'no-evaluation',
  'no-passing-evaluation',
] as const;
export type AdmGapCode = (typeof ADM_GAP_CODES)[number];

export type AdmGap = { code: AdmGapCode; environment: string | null; detail: string };

/** What the register knows of one model version as of the end of the period (ISO instants). */
export type AdmFacts = {
  personalInformationKinds: string[];
  /** Its serving periods that overlap the reporting period; servedTo null: serving at its end. */
  periods: {
    environment: string;
    startedAt: string;
    servedTo: string | null;
    approvalId: string | null;
  }[];
  /** Approvals of this version granted before the end of the period. */
  approvals: { approvalId: string; environment: string; approvedAt: string }[];
  evaluations: { count: number; passing: number };
  /** When it was retired in the registry, if before the end of the period. */
  retiredAt: string | null;
};

/** The findings a compliance officer must act on; an empty list means none. */
export function admGaps(facts: AdmFacts): AdmGap[] {
  const gaps: AdmGap[] = [];
  if (facts.personalInformationKinds.length === 0) {
    gaps.push({
      code: 'no-personal-information-kinds',
      environment: null,
      detail:
        'deployed, but its model card records no kinds of personal information (APP 1.8 requires them)',
    });
  }
  for (const period of facts.periods.filter((p) => p.environment === PRODUCTION)) {
    const granted = facts.approvals.some(
      (approval) =>
        approval.approvalId === period.approvalId &&
        approval.environment === PRODUCTION &&
        approval.approvedAt <= period.startedAt,
    );
    if (!granted) {
      gaps.push({
        code: 'no-approval',
        environment: PRODUCTION,
        detail: `served in ${PRODUCTION} from ${period.startedAt} without a granted approval for ${PRODUCTION}`,
      });
    }
  }
  const retiredAt = facts.retiredAt;
  if (retiredAt !== null) {
    const environments = new Set(
      facts.periods
        .filter((period) => period.servedTo === null || period.servedTo > retiredAt)
        .map((period) => period.environment),
    );
    for (const environment of [...environments].sort()) {
      gaps.push({
        code: 'retired-but-serving',
        environment,
        detail: `retired in the model registry at ${retiredAt} but still served in ${environment} after it`,
      });
    }
  }
  if (facts.evaluations.count === 0) {
    gaps.push({ code: 'no-evaluation', environment: null, detail: 'no evaluation recorded' });
  } else if (facts.evaluations.passing === 0) {
    gaps.push({
      code: 'no-passing-evaluation',
      environment: null,
      detail: `${facts.evaluations.count} evaluation(s) recorded, none with verdict pass`,
    });
  }
  return gaps;
}
