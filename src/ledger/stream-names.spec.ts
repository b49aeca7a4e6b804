import { STREAM_NAME, streamName } from './stream-names';

describe('stream names', () => {
  it('builds <aggregate>-<id>', () => {
    expect(streamName('dataset', 'loans-2026')).toBe('dataset-loans-2026');
    expect(streamName('training-run', '0190f0e2-7c1a-7000-8000-000000000001')).toBe(
      'training-run-0190f0e2-7c1a-7000-8000-000000000001',
    );
  });

  it('refuses names that requests could not address', () => {
    expect(() => streamName('Dataset', 'x')).toThrow(RangeError);
    expect(() => streamName('dataset', '')).toThrow(RangeError);
    expect(() => streamName('dataset', 'a/b')).toThrow(RangeError);
    expect(() => streamName('dataset', 'x'.repeat(300))).toThrow(RangeError);
  });

  it('is the pattern requests are checked against', () => {
    for (const ok of ['dataset-loans', 'model-credit-scorecard@4.2.0', 'deployment-prod:eu']) {
      expect(STREAM_NAME.test(ok)).toBe(true);
    }
    for (const bad of ['loans', '/etc/passwd', 'dataset-', '-x', 'dataset-a b', 'dataset-\u0000']) {
      expect(STREAM_NAME.test(bad)).toBe(false);
    }
  });
});
