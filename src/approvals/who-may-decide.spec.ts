import { decisionBars } from './who-may-decide';

describe('who may decide a pending stage', () => {
  const stage = {
    role: 'compliance-officer' as const,
    registeredBy: 'reggie',
    trainedBy: 'tara',
    requestedBy: 'dana',
    grantedBy: ['rob'],
  };

  it('lets a holder of the role who is none of the parties decide', () => {
    expect(decisionBars(stage, { sub: 'cora', roles: ['compliance-officer'] })).toEqual([]);
  });

  it('names every rule that bars a person, the role first', () => {
    expect(decisionBars(stage, { sub: 'dana', roles: ['data-scientist'] })).toEqual([
      { rule: 'stage-role-required', role: 'compliance-officer' },
      { rule: 'four-eyes', reasons: ['requested this approval'] },
    ]);
    expect(
      decisionBars(
        { ...stage, trainedBy: 'reggie' },
        { sub: 'reggie', roles: ['compliance-officer'] },
      ),
    ).toEqual([
      {
        rule: 'four-eyes',
        reasons: ['registered this version', 'trained this version (training run author)'],
      },
    ]);
    expect(decisionBars(stage, { sub: 'rob', roles: ['compliance-officer'] })).toEqual([
      { rule: 'one-stage-per-person' },
    ]);
  });
});
