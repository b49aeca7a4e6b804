import { type AdmFacts, admGaps } from './adm-gaps';

const approval = '0195a3c1-7e0a-7000-8a00-0000000000a1';

const clean: AdmFacts = {
  personalInformationKinds: ['financial'],
  periods: [
    {
      environment: 'production',
      startedAt: '2026-02-01T00:00:00.000Z',
      servedTo: null,
      approvalId: approval,
    },
  ],
  approvals: [
    { approvalId: approval, environment: 'production', approvedAt: '2026-01-30T00:00:00.000Z' },
  ],
  evaluations: { count: 1, passing: 1 },
  retiredAt: null,
};

const codes = (facts: AdmFacts) => admGaps(facts).map((gap) => [gap.code, gap.environment]);

describe('ADM register gaps', () => {
  it('finds nothing when every fact is recorded', () => {
    expect(admGaps(clean)).toEqual([]);
  });

  it('no-personal-information-kinds: a deployed version with none recorded', () => {
    expect(codes({ ...clean, personalInformationKinds: [] })).toEqual([
      ['no-personal-information-kinds', null],
    ]);
  });

  it('no-approval: production without a granted production approval before it served', () => {
    expect(codes({ ...clean, periods: [{ ...clean.periods[0], approvalId: null }] })).toEqual([
      ['no-approval', 'production'],
    ]);
    expect(
      codes({
        ...clean,
        approvals: [{ ...clean.approvals[0], approvedAt: '2026-02-02T00:00:00.000Z' }],
      }),
    ).toEqual([['no-approval', 'production']]);
    expect(
      codes({ ...clean, approvals: [{ ...clean.approvals[0], environment: 'staging' }] }),
    ).toEqual([['no-approval', 'production']]);
  });

  it('staging needs no approval', () => {
    const staging = { ...clean.periods[0], environment: 'staging', approvalId: null };
    expect(admGaps({ ...clean, periods: [staging], approvals: [] })).toEqual([]);
  });

  it('retired-but-serving: serving after its retirement, per environment', () => {
    const retiredAt = '2026-03-01T00:00:00.000Z';
    expect(codes({ ...clean, retiredAt })).toEqual([['retired-but-serving', 'production']]);
    const stoppedBefore = { ...clean.periods[0], servedTo: '2026-02-15T00:00:00.000Z' };
    expect(admGaps({ ...clean, retiredAt, periods: [stoppedBefore] })).toEqual([]);
  });

  it('no-evaluation and no-passing-evaluation', () => {
    expect(codes({ ...clean, evaluations: { count: 0, passing: 0 } })).toEqual([
      ['no-evaluation', null],
    ]);
    expect(codes({ ...clean, evaluations: { count: 2, passing: 0 } })).toEqual([
      ['no-passing-evaluation', null],
    ]);
  });
});
