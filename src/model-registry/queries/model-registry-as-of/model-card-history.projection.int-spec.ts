import {
  modelStream,
  registerVersion,
  retire,
  updateCard,
} from '../../../../tests/support/model-streams';
import { statementsToApply } from '../../../../tests/support/projection-events';
import { type ProjectionSpec, projectionSpec } from '../../../../tests/support/projection-spec';
import { ModelCardHistoryProjection } from './model-card-history.projection';

const REGISTERED_CARD = {
  riskTier: 'high',
  decisionClass: 'substantially-assists',
  personalInformationKinds: ['financial'],
  decisions: 'approve or refer a consumer credit application',
  intendedUse: 'retail credit decisioning',
  limitations: ['not for business lending'],
  owner: 'head of retail credit risk',
  vendor: null,
  explainability: null,
  humanOversight: null,
  consumerDisclosure: null,
  monitoringCadence: null,
};

describe('model-card-history projection', () => {
  let spec: ProjectionSpec<ModelCardHistoryProjection>;
  beforeAll(async () => {
    spec = await projectionSpec(ModelCardHistoryProjection);
  });
  afterAll(() => spec?.close());

  const history = () =>
    spec.rows<Record<string, unknown>>('SELECT * FROM model_card_history ORDER BY model, revision');

  it('handles registrations and card changes only, derived from its handlers', () => {
    expect([...spec.projection.eventTypes].sort()).toEqual([
      'ModelCardUpdated',
      'ModelVersionRegistered',
    ]);
  });

  it('records a registration with the whole card it sets', async () => {
    const stream = modelStream('credit-risk');
    const [recorded] = await spec.given(stream.when(registerVersion('credit-risk', '1.0.0')));
    expect(await history()).toEqual([
      {
        model: 'credit-risk',
        revision: expect.anything(),
        version: '1.0.0',
        event_type: 'ModelVersionRegistered',
        changes: REGISTERED_CARD,
        card: { ...REGISTERED_CARD, updatedBy: null, updatedAt: null },
        changed_by: 'reggie',
        at: new Date(recorded.metadata.occurredAt),
        event_id: recorded.id,
      },
    ]);
    expect(String((await history())[0].revision)).toBe(String(recorded.revision));
  });

  it('folds each card change, in ledger order, into the version’s card before it', async () => {
    const stream = modelStream('credit-risk');
    const events = [
      ...stream.when(registerVersion('credit-risk', '1.0.0')),
      ...stream.when(registerVersion('credit-risk', '1.1.0', { owner: 'chief risk officer' })),
      ...stream.when(updateCard('credit-risk', '1.0.0', { explainability: 'SHAP per decision' })),
      ...stream.when(
        updateCard(
          'credit-risk',
          '1.0.0',
          { owner: 'model risk committee', limitations: ['not for business lending', 'no SMEs'] },
          '2026-03-03T00:00:00.000Z',
        ),
      ),
      ...stream.when(updateCard('credit-risk', '1.1.0', { monitoringCadence: 'monthly' })),
    ];
    await spec.given(events);
    const rows = await history();
    expect(rows.map((row) => [row.version, row.event_type, row.changes, row.changed_by])).toEqual([
      ['1.0.0', 'ModelVersionRegistered', REGISTERED_CARD, 'reggie'],
      [
        '1.1.0',
        'ModelVersionRegistered',
        { ...REGISTERED_CARD, owner: 'chief risk officer' },
        'reggie',
      ],
      ['1.0.0', 'ModelCardUpdated', { explainability: 'SHAP per decision' }, 'olive'],
      [
        '1.0.0',
        'ModelCardUpdated',
        { owner: 'model risk committee', limitations: ['not for business lending', 'no SMEs'] },
        'olive',
      ],
      ['1.1.0', 'ModelCardUpdated', { monitoringCadence: 'monthly' }, 'olive'],
    ]);
    expect(rows[3].card).toEqual({
      ...REGISTERED_CARD,
      explainability: 'SHAP per decision',
      owner: 'model risk committee',
      limitations: ['not for business lending', 'no SMEs'],
      updatedBy: 'olive',
      updatedAt: '2026-03-03T00:00:00.000Z',
    });
    expect(rows[4].card).toEqual({
      ...REGISTERED_CARD,
      owner: 'chief risk officer',
      monitoringCadence: 'monthly',
      updatedBy: 'olive',
      updatedAt: '2026-03-02T00:00:00.000Z',
    });
  });

  it('folds from rows of earlier pages; skips a change to a version never registered and a repeated registration', async () => {
    const stream = modelStream('credit-risk');
    const [registered] = stream.when(registerVersion('credit-risk', '1.0.0'));
    const [changed] = stream.when(updateCard('credit-risk', '1.0.0', { humanOversight: 'yes' }));
    const orphan = { ...changed, data: { ...changed.data, version: '9.9.9' } };
    // The registration recorded again later in the stream (a hand-made repair) changes nothing.
    const again = { ...registered, data: { ...registered.data, owner: 'someone else' } };
    const [first] = await spec.given([registered]);
    await spec.given([orphan, changed, again], { keep: true });
    expect((await history()).map((row) => [row.version, row.event_type])).toEqual([
      ['1.0.0', 'ModelVersionRegistered'],
      ['1.0.0', 'ModelCardUpdated'],
    ]);
    expect((await history())[1].card).toMatchObject({
      owner: REGISTERED_CARD.owner,
      humanOversight: 'yes',
    });
    expect((await history())[0].event_id).toBe(first.id);
  });

  it('adds nothing when events are applied again', async () => {
    const stream = modelStream('credit-risk');
    const recorded = await spec.given([
      ...stream.when(registerVersion('credit-risk', '1.0.0')),
      ...stream.when(updateCard('credit-risk', '1.0.0', { decisions: 'refer only' })),
    ]);
    const before = await history();
    await spec.apply(recorded);
    expect(await history()).toEqual(before);
  });

  it('reads and writes a run in two statements', async () => {
    const registered = spec.record(
      Array.from({ length: 20 }, (_, index) =>
        modelStream(`model-${index}`).when(registerVersion(`model-${index}`, '1.0.0')),
      ).flat(),
    );
    await spec.truncate();
    expect(await statementsToApply(spec, registered, null)).toBe(2);
  });

  it('builds the same rows rebuilt in one page as applied live or in uneven pages', async () => {
    const credit = modelStream('credit-risk');
    const fraud = modelStream('fraud');
    await spec.expectRebuildEqualsLive([
      ...credit.when(registerVersion('credit-risk', '1.0.0')),
      ...fraud.when(registerVersion('fraud', '1.0.0', { riskTier: 'medium' })),
      ...credit.when(updateCard('credit-risk', '1.0.0', { explainability: 'SHAP' })),
      ...credit.when(updateCard('credit-risk', '1.0.0', { consumerDisclosure: 'letter' })),
      ...fraud.when(updateCard('fraud', '1.0.0', { owner: 'head of fraud' })),
      ...credit.when(retire('credit-risk', '1.0.0')),
      ...credit.when(registerVersion('credit-risk', '1.1.0')),
      ...credit.when(updateCard('credit-risk', '1.1.0', { intendedUse: 'cards' })),
    ]);
  });
});
