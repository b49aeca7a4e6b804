import { serviceEvaluationGap } from './compliance-reports';

const attest = (environment: string, passed: boolean) => ({
  performedBy: 'attest' as const,
  environment,
  passed,
});
const pipeline = (passed: boolean) => ({
  performedBy: 'pipeline' as const,
  environment: null,
  passed,
});

describe('serviceEvaluationGap: what a version serving in an environment lacks', () => {
  it('lacks nothing once Attest computed a passing evaluation for that environment', () => {
    expect(
      serviceEvaluationGap([attest('production', false), attest('production', true)], 'production'),
    ).toBeNull();
  });

  it('is failed when every evaluation Attest computed for the environment did not pass', () => {
    expect(serviceEvaluationGap([attest('production', false), pipeline(true)], 'production')).toBe(
      'failed',
    );
  });

  it('is pipeline-only when only the pipeline posted evaluations, passing or not', () => {
    expect(serviceEvaluationGap([pipeline(true)], 'production')).toBe('pipeline-only');
  });

  it('is none with no evaluation, or with Attest’s only for other environments', () => {
    expect(serviceEvaluationGap([], 'production')).toBe('none');
    expect(serviceEvaluationGap([attest('staging', true)], 'production')).toBe('none');
  });
});
