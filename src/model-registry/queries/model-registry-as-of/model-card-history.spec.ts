import type { ModelVersionRegistered } from '../../model.events';
import { cardChanges, registeredCard, updatedCard } from './model-card-history';

const registration: ModelVersionRegistered['data'] = {
  model: 'credit-risk',
  version: '1.0.0',
  runId: 'run',
  trainedBy: 'tara',
  datasetVersions: [],
  artifactDigest: 'sha256:a',
  riskTier: 'high',
  decisionClass: 'substantially-assists',
  personalInformationKinds: ['financial'],
  decisions: 'approve or refer',
  intendedUse: 'consumer credit',
  limitations: ['not for business lending'],
  owner: 'head-of-credit-risk',
  vendor: null,
  registeredBy: 'dana',
  registeredAt: '2026-02-01T00:00:00.000Z',
};

describe('model card history', () => {
  it('starts from the registration with no later fields and no change recorded', () => {
    expect(registeredCard(registration)).toEqual({
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      personalInformationKinds: ['financial'],
      decisions: 'approve or refer',
      intendedUse: 'consumer credit',
      limitations: ['not for business lending'],
      owner: 'head-of-credit-risk',
      vendor: null,
      explainability: null,
      humanOversight: null,
      consumerDisclosure: null,
      monitoringCadence: null,
      updatedBy: null,
      updatedAt: null,
    });
  });

  it('changes only the fields an update names, and records who and when', () => {
    const card = updatedCard(registeredCard(registration), {
      model: 'credit-risk',
      version: '1.0.0',
      changes: { owner: 'chief-risk-officer', monitoringCadence: 'monthly' },
      updatedBy: 'dana',
      updatedAt: '2026-04-10T00:00:00.000Z',
    });
    expect(card).toMatchObject({
      owner: 'chief-risk-officer',
      monitoringCadence: 'monthly',
      intendedUse: 'consumer credit',
      riskTier: 'high',
      updatedBy: 'dana',
      updatedAt: '2026-04-10T00:00:00.000Z',
    });
  });

  it('ignores fields that are not on the card, or carry no value', () => {
    const changes = { owner: 'x', riskTier: 'low', toString: 'y', decisions: undefined };
    expect(cardChanges(changes as never)).toEqual({ owner: 'x' });
  });
});
