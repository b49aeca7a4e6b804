import { replay } from '../ledger/commands/decider';
import type { RecordedEvent } from '../ledger/event-log.port';
import type { ModelEvent } from '../model-registry/model.events';
import { serviceRunEvaluated } from '../../tests/support/service-evaluations';
import {
  modelEvaluated,
  modelVersionRegistered,
  modelVersionRetired,
} from '../../tests/support/seed-events';
import { modelFacts, modelVersionFacts } from './model-version-facts';

const model = 'credit-risk';

function load(events: ModelEvent[]) {
  const recorded = events.map(
    (event, index) =>
      ({
        type: event.type,
        data: event.data,
        metadata: { integrity: { hash: `hash-${index}` } },
      }) as unknown as RecordedEvent,
  );
  return { state: replay(modelFacts, events), recorded };
}

describe('model version facts', () => {
  it('takes tier, artifact, datasets and four-eyes parties from the registration', () => {
    const loaded = load([modelVersionRegistered({ model, version: '1', riskTier: 'medium' })]);
    expect(modelVersionFacts(loaded, '1')).toEqual({
      riskTier: 'medium',
      artifactDigest: `sha256:${'a1'.repeat(32)}`,
      datasetContentHashes: [`sha256:${'d1'.repeat(32)}`, `sha256:${'d2'.repeat(32)}`],
      registeredBy: 'reggie',
      trainedBy: 'tara',
      retired: false,
      evaluations: [],
    });
  });

  it('keeps only this version’s evaluations, in stream order, with their event hashes', () => {
    const loaded = load([
      modelVersionRegistered({ model, version: '1' }),
      modelVersionRegistered({ model, version: '2' }),
      modelEvaluated({ model, version: '1', verdict: 'fail' }),
      modelEvaluated({ model, version: '2' }),
      {
        type: 'ModelCardUpdated',
        data: { model, version: '1', changes: {}, updatedBy: 'x', updatedAt: 'y' },
      },
      modelEvaluated({ model, version: '1', verdict: 'pass' }),
    ]);
    expect(modelVersionFacts(loaded, '1')?.evaluations).toEqual([
      expect.objectContaining({ verdict: 'fail', eventHash: 'hash-2' }),
      expect.objectContaining({ verdict: 'pass', eventHash: 'hash-5' }),
    ]);
    expect(modelVersionFacts(loaded, '2')?.evaluations).toEqual([
      expect.objectContaining({ verdict: 'pass', eventHash: 'hash-3' }),
    ]);
  });

  it('tells a service-run evaluation (environment, policy version, passed) from a posted one', () => {
    const posted = modelEvaluated({ model, version: '1', evaluationId: 'posted' });
    const run = serviceRunEvaluated({
      model,
      version: '1',
      evaluationId: 'run-1',
      environment: 'staging',
      policyVersion: 3,
      passed: false,
    });
    // `attest` without its service record is not a service-run evaluation.
    const bare = modelEvaluated({
      model,
      version: '1',
      evaluationId: 'bare',
      performedBy: 'attest',
    });
    const loaded = load([modelVersionRegistered({ model, version: '1' }), posted, run, bare]);
    expect(modelVersionFacts(loaded, '1')?.evaluations).toEqual([
      {
        evaluationId: 'posted',
        verdict: 'pass',
        performedBy: 'pipeline',
        environment: null,
        policyVersion: null,
        passed: true,
        eventHash: 'hash-1',
      },
      {
        evaluationId: 'run-1',
        verdict: 'fail',
        performedBy: 'attest',
        environment: 'staging',
        policyVersion: 3,
        passed: false,
        eventHash: 'hash-2',
      },
      {
        evaluationId: 'bare',
        verdict: 'pass',
        performedBy: 'pipeline',
        environment: null,
        policyVersion: null,
        passed: true,
        eventHash: 'hash-3',
      },
    ]);
  });

  it('marks a retired version, and knows nothing of one never registered', () => {
    const loaded = load([
      modelVersionRegistered({ model, version: '1' }),
      modelVersionRetired({ model, version: '1' }),
    ]);
    expect(modelVersionFacts(loaded, '1')?.retired).toBe(true);
    expect(modelVersionFacts(loaded, '9')).toBeNull();
  });
});
