/**
 * How an approval no person decided is named where approvals are listed (README, "Governance
 * workflow"): a low-risk tier with no stage, approved by a passing service-run evaluation.
 */
export function automaticApprovalLabel(evaluationId: string | null): string {
  return evaluationId
    ? `Automatic (low risk, passing evaluation ${evaluationId})`
    : 'Automatic (low risk, passing evaluation)';
}
