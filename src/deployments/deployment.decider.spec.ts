import { given } from '../../tests/support/decider-spec';
import { replay } from '../ledger/commands/decider';
import {
  type ApprovalFact,
  type DeployModel,
  type DeploymentCommand,
  deploymentDecider,
  servingVersions,
} from './deployment.decider';
import type { DeploymentEvent, ModelDeployed } from './deployment.events';

const NOW = '2026-03-01T00:00:00.000Z';
const ID = 'credit-risk.staging';
const PROD = 'credit-risk.production';
const APPROVAL = '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f';

function approval(overrides: Partial<ApprovalFact> = {}): ApprovalFact {
  return {
    approvalId: APPROVAL,
    status: 'approved',
    model: 'credit-risk',
    version: '1.0.0',
    environment: 'production',
    ...overrides,
  };
}

function deploy(
  overrides: Partial<DeployModel['data']> = {},
  options: { facts?: Partial<DeployModel['facts']>; roles?: string[] } = {},
): DeployModel {
  const environment = overrides.environment ?? 'staging';
  return {
    type: 'DeployModel',
    data: {
      deploymentId: `credit-risk.${environment}`,
      model: 'credit-risk',
      version: '1.0.0',
      environment,
      strategy: 'full',
      canaryPercent: null,
      approvalId: null,
      ...overrides,
    },
    facts: { version: 'registered', artifactStored: true, approval: null, ...options.facts },
    actor: 'rita',
    roles: options.roles ?? ['risk-manager'],
    now: NOW,
  };
}

const canary = (version: string, percent: number, overrides: Partial<DeployModel['data']> = {}) =>
  deploy({ version, strategy: 'canary', canaryPercent: percent, ...overrides });

/** The event a deploy decides on an empty slot, or with `previousVersion` given. */
function deployed(command: DeployModel, previousVersion: string | null = null): ModelDeployed {
  return {
    type: 'ModelDeployed',
    data: {
      ...command.data,
      previousVersion,
      deployedBy: command.actor,
      deployedAt: command.now,
    },
  };
}

const promote = (deploymentId = ID): DeploymentCommand => ({
  type: 'PromoteDeployment',
  data: { deploymentId },
  actor: 'rita',
  now: NOW,
});

const rollBack = (reason = 'error rate up', automatic = false, deploymentId = ID) =>
  ({
    type: 'RollBackDeployment',
    data: { deploymentId, reason, automatic },
    actor: 'monitor',
    now: NOW,
  }) satisfies DeploymentCommand;

const retire = (deploymentId = ID) =>
  ({
    type: 'RetireDeployment',
    data: { deploymentId, reason: 'model withdrawn' },
    actor: 'rita',
    now: NOW,
  }) satisfies DeploymentCommand;

/** Runs commands in order from an empty stream, returning every event decided. */
function history(...commands: DeploymentCommand[]): DeploymentEvent[] {
  return commands.reduce<DeploymentEvent[]>(
    (events, command) => [
      ...events,
      ...deploymentDecider.decide(command, replay(deploymentDecider, events)),
    ],
    [],
  );
}

const v1 = deploy();
const v2 = deploy({ version: '2.0.0' });
const v3 = deploy({ version: '3.0.0' });

describe('deployment decider', () => {
  describe('deploying', () => {
    it('records a full rollout into an empty slot with no previous version', () => {
      given(deploymentDecider)
        .when(v1)
        .then([deployed(v1)]);
    });

    it('records the version serving all traffic before as the previous version', () => {
      given(deploymentDecider, history(v1))
        .when(v2)
        .then([deployed(v2, '1.0.0')]);
    });

    it('is an idempotent success when the version already serves all traffic', () => {
      given(deploymentDecider, history(v1)).when(v1).then([]);
    });

    it('starts a canary beside the stable version', () => {
      const command = canary('2.0.0', 10);
      const events = given(deploymentDecider, history(v1))
        .when(command)
        .then([deployed(command, '1.0.0')]);
      const state = replay(deploymentDecider, [...history(v1), ...events]);
      expect(state).toMatchObject({
        status: 'active',
        version: '1.0.0',
        canary: { version: '2.0.0', percent: 10 },
      });
      expect(servingVersions(state)).toEqual(['1.0.0', '2.0.0']);
    });

    it('allows a canary into an empty slot: the rest of the traffic stays off the model', () => {
      const command = canary('1.0.0', 20);
      const events = given(deploymentDecider)
        .when(command)
        .then([deployed(command)]);
      const state = replay(deploymentDecider, events);
      expect(state).toMatchObject({ status: 'active', version: null });
      expect(servingVersions(state)).toEqual(['1.0.0']);
    });

    it('refuses a second canary while one runs, and a full rollout until it is decided', () => {
      const running = history(v1, canary('2.0.0', 10));
      given(deploymentDecider, running)
        .when(canary('3.0.0', 10))
        .thenRefuses('canary-in-progress', 409);
      given(deploymentDecider, running).when(v3).thenRefuses('canary-in-progress', 409);
      given(deploymentDecider, running).when(v2).thenRefuses('canary-in-progress', 409);
    });

    it('ramps the running canary to a new share, and repeats the same share as a no-op', () => {
      const running = history(v1, canary('2.0.0', 10));
      const ramp = canary('2.0.0', 50);
      given(deploymentDecider, running)
        .when(ramp)
        .then([deployed(ramp, '1.0.0')]);
      given(deploymentDecider, running).when(canary('2.0.0', 10)).then([]);
    });

    it('refuses a canary of the version already serving all traffic', () => {
      given(deploymentDecider, history(v1))
        .when(canary('1.0.0', 10))
        .thenRefuses('version-already-serving', 409);
    });

    it.each([
      ['a canary without a percentage', { strategy: 'canary', canaryPercent: null }],
      ['a canary of 0%', { strategy: 'canary', canaryPercent: 0 }],
      ['a canary of 100%', { strategy: 'canary', canaryPercent: 100 }],
      ['a canary of 12.5%', { strategy: 'canary', canaryPercent: 12.5 }],
      ['a full rollout with a percentage', { strategy: 'full', canaryPercent: 10 }],
    ] as const)('refuses %s', (_name, overrides) => {
      given(deploymentDecider).when(deploy(overrides)).thenRefuses('invalid-canary-percent', 422);
    });

    it('refuses a version the registry never recorded, and a retired one', () => {
      given(deploymentDecider)
        .when(deploy({}, { facts: { version: 'unregistered' } }))
        .thenRefuses('unknown-model-version', 422);
      given(deploymentDecider)
        .when(deploy({}, { facts: { version: 'retired' } }))
        .thenRefuses('model-version-retired', 409);
    });

    it('refuses a version whose artifact was never stored: it could not be served (422 naming version)', () => {
      given(deploymentDecider)
        .when(deploy({}, { facts: { artifactStored: false } }))
        .thenRefuses('artifact-not-stored', 422);
    });

    it('starts a new life in a retired slot: nothing earlier to roll back to', () => {
      const events = history(v1, v2, retire());
      const again = deploy({ version: '3.0.0' });
      given(deploymentDecider, events)
        .when(again)
        .then([deployed(again)]);
      const after = [...events, ...history(again)];
      given(deploymentDecider, after)
        .when(rollBack())
        .then([
          {
            type: 'DeploymentRolledBack',
            data: expect.objectContaining({ fromVersion: '3.0.0', toVersion: null }),
          },
        ]);
    });

    it('deploys again into a slot rolled back to nothing', () => {
      const events = history(v1, rollBack());
      expect(replay(deploymentDecider, events)).toMatchObject({ status: 'inactive' });
      given(deploymentDecider, events)
        .when(v2)
        .then([deployed(v2)]);
    });
  });

  describe('approvals', () => {
    const production = (
      approvalFact: ApprovalFact | null,
      approvalId: string | null = APPROVAL,
      roles = ['risk-manager'],
    ) =>
      deploy(
        { environment: 'production', approvalId },
        { facts: { approval: approvalFact }, roles },
      );

    it('deploys to production on an approval granted for exactly this version and environment', () => {
      const command = production(approval());
      given(deploymentDecider)
        .when(command)
        .then([deployed(command)]);
      expect(command.data.deploymentId).toBe(PROD);
    });

    it('refuses production without an approval, even for a risk manager', () => {
      given(deploymentDecider).when(production(null, null)).thenRefuses('approval-required', 422);
    });

    it.each([
      ['pending', approval({ status: 'pending' })],
      ['rejected', approval({ status: 'rejected' })],
      ['withdrawn', approval({ status: 'withdrawn' })],
      [
        'never recorded',
        approval({ status: 'unrecorded', model: null, version: null, environment: null }),
      ],
      ['for another version', approval({ version: '0.9.0' })],
      ['for another environment', approval({ environment: 'staging' })],
      ['for another model', approval({ model: 'fraud' })],
      ['under another id', approval({ approvalId: '01936f0e-0000-7c3d-9e1f-2a3b4c5d6e7f' })],
    ])('refuses an approval %s', (_name, fact) => {
      given(deploymentDecider).when(production(fact)).thenRefuses('approval-not-granted', 422);
    });

    it('lets a risk manager deploy outside production without an approval', () => {
      given(deploymentDecider)
        .when(v1)
        .then([deployed(v1)]);
    });

    it('lets a pipeline deploy only approved versions, in any environment', () => {
      const unapproved = deploy({}, { roles: ['pipeline'] });
      given(deploymentDecider).when(unapproved).thenRefuses('approval-required', 422);
      const approved = deploy(
        { approvalId: APPROVAL },
        { roles: ['pipeline'], facts: { approval: approval({ environment: 'staging' }) } },
      );
      given(deploymentDecider)
        .when(approved)
        .then([deployed(approved)]);
    });

    it('treats a caller holding both roles as a risk manager', () => {
      const command = deploy({}, { roles: ['pipeline', 'risk-manager'] });
      given(deploymentDecider)
        .when(command)
        .then([deployed(command)]);
    });

    it('checks an approval cited where none is needed: the record must not point at a wrong one', () => {
      given(deploymentDecider)
        .when(deploy({ approvalId: APPROVAL }, { facts: { approval: approval() } }))
        .thenRefuses('approval-not-granted', 422);
    });
  });

  describe('promotion', () => {
    it('moves the canary to all traffic, naming the version it replaces', () => {
      const events = history(v1, canary('2.0.0', 10));
      const [promoted] = given(deploymentDecider, events)
        .when(promote())
        .then([
          {
            type: 'DeploymentPromoted',
            data: {
              deploymentId: ID,
              model: 'credit-risk',
              environment: 'staging',
              version: '2.0.0',
              previousVersion: '1.0.0',
              promotedBy: 'rita',
              promotedAt: NOW,
            },
          },
        ]);
      const state = replay(deploymentDecider, [...events, promoted]);
      expect(state).toMatchObject({ version: '2.0.0', canary: null, history: ['1.0.0'] });
    });

    it('promotes a canary that ran alone, with no previous version', () => {
      const [promoted] = given(deploymentDecider, history(canary('1.0.0', 5)))
        .when(promote())
        .events();
      expect(promoted.data).toMatchObject({ version: '1.0.0', previousVersion: null });
    });

    it('refuses with no canary running, with nothing recorded, and once retired', () => {
      given(deploymentDecider, history(v1)).when(promote()).thenRefuses('no-canary', 409);
      given(deploymentDecider, history(v1, rollBack()))
        .when(promote())
        .thenRefuses('no-canary', 409);
      given(deploymentDecider).when(promote()).thenRefuses('not-found', 404);
      given(deploymentDecider, history(v1, retire()))
        .when(promote())
        .thenRefuses('deployment-retired', 409);
    });
  });

  describe('automatic rollback for an alert (README, "Monitoring by Attest")', () => {
    const ALERT = '0193aaaa-8a7b-8c3d-9e1f-2a3b4c5d6e7f';
    const forAlert = (breachedVersion: string, alert = ALERT) =>
      ({
        type: 'RollBackDeployment',
        data: {
          deploymentId: ID,
          reason: 'psi of income above 0.25',
          automatic: true,
          causeAlertId: alert,
          breachedVersion,
        },
        actor: 'attest',
        now: NOW,
      }) satisfies DeploymentCommand;

    it('drops the breaching canary once, naming the alert; the same alert again decides nothing', () => {
      const events = history(v1, canary('2.0.0', 10));
      const [rolledBack] = given(deploymentDecider, events).when(forAlert('2.0.0')).events();
      expect(rolledBack.data).toEqual({
        deploymentId: ID,
        model: 'credit-risk',
        environment: 'staging',
        fromVersion: '2.0.0',
        toVersion: '1.0.0',
        reason: 'psi of income above 0.25',
        automatic: true,
        causeAlertId: ALERT,
        rolledBackBy: 'attest',
        rolledBackAt: NOW,
      });
      const after = [...events, rolledBack];
      expect(replay(deploymentDecider, after)).toMatchObject({ version: '1.0.0', canary: null });
      given(deploymentDecider, after).when(forAlert('2.0.0')).then([]);
      // Even once the same version is deployed again, that alert never rolls back twice.
      const again = deploymentDecider.decide(canary('2.0.0', 20), replay(deploymentDecider, after));
      expect(again).toHaveLength(1);
      given(deploymentDecider, [...after, ...again])
        .when(forAlert('2.0.0'))
        .then([]);
    });

    it('returns a breaching stable version to the one before it', () => {
      const [rolledBack] = given(deploymentDecider, history(v1, v2))
        .when(forAlert('2.0.0'))
        .events();
      expect(rolledBack.data).toMatchObject({
        fromVersion: '2.0.0',
        toVersion: '1.0.0',
        causeAlertId: ALERT,
      });
    });

    it('decides nothing when the breached version no longer serves or nothing could return', () => {
      // 1.0.0 was replaced: its late breach changes nothing.
      given(deploymentDecider, history(v1, v2)).when(forAlert('1.0.0')).then([]);
      // No earlier version to return to: an alert does not empty the slot.
      given(deploymentDecider, history(v1)).when(forAlert('1.0.0')).then([]);
      // The stable version breached while a canary runs: the canary is not the one to drop.
      given(deploymentDecider, history(v1, canary('2.0.0', 10)))
        .when(forAlert('1.0.0'))
        .then([]);
      given(deploymentDecider, history(v1, v2, retire()))
        .when(forAlert('2.0.0'))
        .then([]);
    });

    it('leaves promotions and retirements without the causes', () => {
      const events = history(v1, canary('2.0.0', 10), forAlert('2.0.0'), canary('3.0.0', 10));
      const [promoted] = given(deploymentDecider, events).when(promote()).events();
      expect(Object.keys(promoted.data)).not.toContain('rollbackCauses');
    });
  });

  describe('rollback', () => {
    it('drops a running canary and keeps the stable version, with reason and automatic flag', () => {
      const events = history(v1, canary('2.0.0', 10));
      const [rolledBack] = given(deploymentDecider, events)
        .when(rollBack('canary AUC below baseline', true))
        .then([
          {
            type: 'DeploymentRolledBack',
            data: {
              deploymentId: ID,
              model: 'credit-risk',
              environment: 'staging',
              fromVersion: '2.0.0',
              toVersion: '1.0.0',
              reason: 'canary AUC below baseline',
              automatic: true,
              rolledBackBy: 'monitor',
              rolledBackAt: NOW,
            },
          },
        ]);
      expect(replay(deploymentDecider, [...events, rolledBack])).toMatchObject({
        status: 'active',
        version: '1.0.0',
        canary: null,
        history: [],
      });
    });

    it('returns to the previously deployed full version, one step at a time', () => {
      const events = history(v1, v2, v3);
      const [first] = given(deploymentDecider, events).when(rollBack()).events();
      expect(first.data).toMatchObject({ fromVersion: '3.0.0', toVersion: '2.0.0' });
      const [second] = given(deploymentDecider, [...events, first])
        .when(rollBack())
        .events();
      expect(second.data).toMatchObject({ fromVersion: '2.0.0', toVersion: '1.0.0' });
      const [third] = given(deploymentDecider, [...events, first, second])
        .when(rollBack())
        .events();
      expect(third.data).toMatchObject({ fromVersion: '1.0.0', toVersion: null });
      expect(replay(deploymentDecider, [...events, first, second, third])).toMatchObject({
        status: 'inactive',
      });
    });

    it('returns to the version a promoted canary replaced', () => {
      const [rolledBack] = given(deploymentDecider, history(v1, canary('2.0.0', 10), promote()))
        .when(rollBack())
        .events();
      expect(rolledBack.data).toMatchObject({ fromVersion: '2.0.0', toVersion: '1.0.0' });
    });

    it('leaves the slot inactive when a canary that ran alone is dropped', () => {
      const events = history(canary('1.0.0', 10));
      const [rolledBack] = given(deploymentDecider, events).when(rollBack()).events();
      expect(rolledBack.data).toMatchObject({ fromVersion: '1.0.0', toVersion: null });
      expect(replay(deploymentDecider, [...events, rolledBack]).status).toBe('inactive');
    });

    it('refuses with nothing deployed, with nothing recorded, and once retired', () => {
      given(deploymentDecider, history(v1, rollBack()))
        .when(rollBack())
        .thenRefuses('nothing-deployed', 409);
      given(deploymentDecider).when(rollBack()).thenRefuses('not-found', 404);
      given(deploymentDecider, history(v1, retire()))
        .when(rollBack())
        .thenRefuses('deployment-retired', 409);
    });
  });

  describe('retirement', () => {
    it('retires the slot once, with its serving version and reason; a repeat is a no-op', () => {
      const events = history(v1, v2);
      const [retired] = given(deploymentDecider, events)
        .when(retire())
        .then([
          {
            type: 'DeploymentRetired',
            data: {
              deploymentId: ID,
              model: 'credit-risk',
              environment: 'staging',
              version: '2.0.0',
              reason: 'model withdrawn',
              retiredBy: 'rita',
              retiredAt: NOW,
            },
          },
        ]);
      const after = [...events, retired];
      expect(servingVersions(replay(deploymentDecider, after))).toEqual([]);
      given(deploymentDecider, after).when(retire()).then([]);
    });

    it('refuses while a canary runs, when nothing is deployed, and when never recorded', () => {
      given(deploymentDecider, history(v1, canary('2.0.0', 10)))
        .when(retire())
        .thenRefuses('canary-in-progress', 409);
      given(deploymentDecider, history(v1, rollBack()))
        .when(retire())
        .thenRefuses('nothing-deployed', 409);
      given(deploymentDecider).when(retire()).thenRefuses('not-found', 404);
    });
  });
});
