import { validateSync } from 'class-validator';
import { IsNumberRecord, MAX_GROUP_LABEL, isGroupLabel } from './number-record.validator';

class Fairness {
  @IsNumberRecord({ keys: 'group-labels' })
  groups!: Record<string, number>;
}

class Metrics {
  @IsNumberRecord()
  metrics!: Record<string, number>;
}

const fairness = (groups: Record<string, number>) =>
  validateSync(Object.assign(new Fairness(), { groups }));

describe('fairness group labels', () => {
  it.each([
    '65+',
    '<25',
    '25-34',
    '>=65',
    '18–24',
    'under 25',
    '≥ 65',
    'Aboriginal or Torres Strait Islander',
    'non-binary/other',
    '(unknown)',
    'femme',
    '65 ans et plus',
    '18',
    'x'.repeat(MAX_GROUP_LABEL),
  ])('accepts %j', (label) => {
    expect(isGroupLabel(label)).toBe(true);
    expect(fairness({ [label]: 0.3 })).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['a leading space', ' 65+'],
    ['a trailing space', '65+ '],
    ['two spaces', 'under  25'],
    ['a tab', 'under\t25'],
    ['a line break', '65+\n'],
    ['a carriage return', '18\r24'],
    ['an escape character', '\u001b[31m65+'],
    ['DEL', '65\u007f'],
    ['a C1 control', '65\u0085'],
    ['a no-break space', 'under\u00a025'],
    ['a bidirectional override', '\u202e52>'],
    ['a zero-width joiner', '65\u200d+'],
    ['a line separator', '18\u202824'],
    ['a private-use character', '65\ue000'],
    ['an overlong label', 'x'.repeat(MAX_GROUP_LABEL + 1)],
    ['__proto__', '__proto__'],
  ])('refuses %s', (_case, label) => {
    expect(isGroupLabel(label)).toBe(false);
    const [error] = fairness(JSON.parse(`{${JSON.stringify(label)}: 0.3}`));
    expect(error.property).toBe('groups');
    expect(Object.values(error.constraints ?? {})[0]).toContain('group labels');
  });

  it('counts characters, not UTF-16 units: a label of astral symbols fits its length', () => {
    expect(isGroupLabel('𝟔𝟓+'.repeat(33))).toBe(true);
    expect(isGroupLabel('𝟔'.repeat(MAX_GROUP_LABEL + 1))).toBe(false);
  });

  it('still refuses a non-number value, and leaves metric names as they were', () => {
    expect(fairness({ '65+': Number.NaN })).toHaveLength(1);
    expect(fairness({ '65+': '0.3' as unknown as number })).toHaveLength(1);
    const metrics = (value: Record<string, number>) =>
      validateSync(Object.assign(new Metrics(), { metrics: value }));
    expect(metrics({ auc: 0.8 })).toEqual([]);
    expect(metrics({ '65+': 0.8 })).toHaveLength(1);
  });
});
