import { type Decider, unhandled } from '../ledger/commands/decider';
import { PRODUCTION } from '../ledger/commands/identifiers';
import { NotRecorded, RuleViolated, StateConflict } from '../ledger/commands/rule-errors';
import type {
  DeploymentEvent,
  DeploymentPromoted,
  DeploymentRetired,
  DeploymentRolledBack,
  DeploymentStrategy,
  ModelDeployed,
} from './deployment.events';

/** Where the version stands in the model registry's stream, as the handler read it. */
export type VersionStanding = 'registered' | 'retired' | 'unregistered';

/** The approval the command cites, as its stream was folded by the handler. */
export type ApprovalFact = {
  approvalId: string;
  status: 'unrecorded' | 'pending' | 'approved' | 'rejected' | 'withdrawn';
  model: string | null;
  version: string | null;
  environment: string | null;
};

export type DeployModel = {
  type: 'DeployModel';
  data: {
    deploymentId: string;
    model: string;
    version: string;
    environment: string;
    strategy: DeploymentStrategy;
    canaryPercent: number | null;
    approvalId: string | null;
  };
  /**
   * Facts from other streams: the version's standing, whether its ONNX artifact was stored (a
   * version Attest cannot serve is not deployed: README, "Serving"), and the cited approval
   * (null when none cited).
   */
  facts: { version: VersionStanding; artifactStored: boolean; approval: ApprovalFact | null };
  actor: string;
  /** The caller's roles: a caller who may deploy only as a pipeline needs an approval everywhere. */
  roles: readonly string[];
  now: string;
};

export type PromoteDeployment = {
  type: 'PromoteDeployment';
  data: { deploymentId: string };
  actor: string;
  now: string;
};

export type RollBackDeployment = {
  type: 'RollBackDeployment';
  data: {
    deploymentId: string;
    reason: string;
    automatic: boolean;
    /**
     * The alert whose breach rolls back (README, "Monitoring by Attest"): a deployment is rolled
     * back once per alert, however many replicas see the breach.
     */
    causeAlertId?: string | null;
    /**
     * With a cause: the version the breach is about. Only it is rolled back (a canary, or the
     * stable version when an earlier one can return); when it no longer serves nothing is decided.
     */
    breachedVersion?: string;
  };
  actor: string;
  now: string;
};

export type RetireDeployment = {
  type: 'RetireDeployment';
  data: { deploymentId: string; reason: string };
  actor: string;
  now: string;
};

export type DeploymentCommand =
  DeployModel | PromoteDeployment | RollBackDeployment | RetireDeployment;

type Slot = {
  deploymentId: string;
  model: string;
  environment: string;
  /** Alerts that have rolled this slot back (README, "Monitoring by Attest"): each once. */
  rollbackCauses?: readonly string[];
};

export type Canary = { version: string; percent: number };

/** One model in one environment: the `deployment-<model>.<environment>` stream folded. */
export type DeploymentState =
  | { status: 'none' }
  | (Slot & {
      status: 'active';
      /** Serving all traffic, or the share a canary leaves; null only while a canary runs alone. */
      version: string | null;
      canary: Canary | null;
      /** Full versions served before `version`, oldest first: where rollbacks return to. */
      history: string[];
    })
  /** Rolled back to nothing: the slot exists but serves no version. */
  | (Slot & { status: 'inactive' })
  | (Slot & { status: 'retired' });

export type ActiveDeployment = Extract<DeploymentState, { status: 'active' }>;

/** The versions that answer requests in this slot (the stable one and any canary). */
export function servingVersions(state: DeploymentState): string[] {
  if (state.status !== 'active') return [];
  return [state.version, state.canary?.version].filter((v) => typeof v === 'string');
}

/** Pipelines deploy approved versions only (docs/design.md §7); production always needs an approval. */
export function approvalRequired(environment: string, roles: readonly string[]): boolean {
  return environment === PRODUCTION || !roles.includes('risk-manager');
}

export const deploymentDecider: Decider<DeploymentCommand, DeploymentEvent, DeploymentState> = {
  initialState: () => ({ status: 'none' }),

  evolve(state, event) {
    switch (event.type) {
      case 'ModelDeployed': {
        const { deploymentId, model, environment, version, strategy, canaryPercent } = event.data;
        const slot = { deploymentId, model, environment, ...causesOf(state) };
        // A retired or emptied slot starts a new life: nothing earlier to roll back to.
        const prior = state.status === 'active' ? state : undefined;
        if (strategy === 'canary') {
          return {
            ...slot,
            status: 'active',
            version: prior?.version ?? null,
            canary: { version, percent: canaryPercent ?? 0 },
            history: prior?.history ?? [],
          };
        }
        return {
          ...slot,
          status: 'active',
          version,
          canary: null,
          history: withPrevious(prior?.history ?? [], prior?.version ?? null),
        };
      }
      case 'DeploymentPromoted':
        if (state.status !== 'active') return state;
        return {
          ...state,
          version: event.data.version,
          canary: null,
          history: withPrevious(state.history, state.version),
        };
      case 'DeploymentRolledBack': {
        if (state.status !== 'active') return state;
        const cause = event.data.causeAlertId;
        const slot = {
          ...slotOf(state),
          ...(cause
            ? { rollbackCauses: [...(state.rollbackCauses ?? []), cause] }
            : causesOf(state)),
        };
        const { toVersion } = event.data;
        if (toVersion === null) return { ...slot, status: 'inactive' };
        // Dropping a canary leaves the stable version; otherwise the newest earlier version returns.
        const history = state.canary ? state.history : state.history.slice(0, -1);
        return { ...slot, status: 'active', version: toVersion, canary: null, history };
      }
      case 'DeploymentRetired':
        return state.status === 'none'
          ? state
          : { ...slotOf(state), ...causesOf(state), status: 'retired' };
      default:
        return unhandled(event);
    }
  },

  decide(command, state) {
    switch (command.type) {
      case 'DeployModel':
        return deploy(command, state);
      case 'PromoteDeployment':
        return promote(command, state);
      case 'RollBackDeployment':
        return rollBack(command, state);
      case 'RetireDeployment':
        return retire(command, state);
      default:
        return unhandled(command);
    }
  },
};

function deploy(command: DeployModel, state: DeploymentState): DeploymentEvent[] {
  const { data } = command;
  checkCanaryPercent(data.strategy, data.canaryPercent);
  checkVersion(data.model, data.version, command.facts.version);
  checkArtifactStored(data.model, data.version, command.facts.artifactStored);
  checkApproval(command);

  const active = state.status === 'active' ? state : undefined;
  if (active?.canary) {
    // Ramping the running canary to a new share is a rollout of its own; anything else waits.
    if (data.strategy === 'canary' && data.version === active.canary.version) {
      if (data.canaryPercent === active.canary.percent) return [];
    } else {
      throw new StateConflict(
        'canary-in-progress',
        `${data.deploymentId} runs a canary of ${active.canary.version} at ${active.canary.percent}%: promote it or roll it back first`,
        { canaryVersion: active.canary.version, canaryPercent: active.canary.percent },
      );
    }
  } else if (active && data.version === active.version) {
    if (data.strategy === 'full') return [];
    throw new StateConflict(
      'version-already-serving',
      `${data.model}@${data.version} already serves all traffic in ${data.environment}; a canary of it would change nothing`,
      { errors: { version: ['already serves all traffic'] } },
    );
  }

  const event: ModelDeployed = {
    type: 'ModelDeployed',
    data: {
      deploymentId: data.deploymentId,
      model: data.model,
      version: data.version,
      environment: data.environment,
      strategy: data.strategy,
      canaryPercent: data.strategy === 'canary' ? data.canaryPercent : null,
      previousVersion: active?.version ?? null,
      approvalId: data.approvalId,
      deployedBy: command.actor,
      deployedAt: command.now,
    },
  };
  return [event];
}

function checkCanaryPercent(strategy: DeploymentStrategy, percent: number | null): void {
  const valid =
    strategy === 'canary'
      ? percent !== null && Number.isInteger(percent) && percent >= 1 && percent <= 99
      : percent === null;
  if (!valid) {
    throw new RuleViolated(
      'invalid-canary-percent',
      strategy === 'canary'
        ? 'a canary needs canaryPercent, a whole number from 1 to 99'
        : 'a full rollout takes all traffic: canaryPercent must be absent',
      { errors: { canaryPercent: ['an integer from 1 to 99, given if and only if canary'] } },
    );
  }
}

function checkVersion(model: string, version: string, standing: VersionStanding): void {
  if (standing === 'unregistered') {
    throw new RuleViolated(
      'unknown-model-version',
      `${model}@${version} is not a registered model version`,
      { errors: { version: ['not registered in the model registry'] } },
    );
  }
  if (standing === 'retired') {
    throw new StateConflict('model-version-retired', `${model}@${version} is retired`, {
      errors: { version: ['retired in the model registry'] },
    });
  }
}

function checkArtifactStored(model: string, version: string, stored: boolean): void {
  if (stored) return;
  throw new RuleViolated(
    'artifact-not-stored',
    `${model}@${version} has no stored artifact: PUT its ONNX file before deploying it`,
    { errors: { version: ['its ONNX artifact was never stored, so it cannot be served'] } },
  );
}

/**
 * An approval is needed in production and for a caller deploying only as a pipeline; one that is
 * cited must be granted for exactly this version and environment, needed or not, so the record
 * never points at an approval that does not support it.
 */
function checkApproval({ data, facts, roles }: DeployModel): void {
  if (data.approvalId === null) {
    if (!approvalRequired(data.environment, roles)) return;
    throw new RuleViolated(
      'approval-required',
      data.environment === PRODUCTION
        ? `deploying to ${PRODUCTION} needs a granted approval for ${data.model}@${data.version}`
        : `a pipeline deploys approved versions only: cite the approval of ${data.model}@${data.version} for ${data.environment}`,
      { errors: { approvalId: ['required'] } },
    );
  }
  const approval = facts.approval;
  const grants =
    approval !== null &&
    approval.approvalId === data.approvalId &&
    approval.status === 'approved' &&
    approval.model === data.model &&
    approval.version === data.version &&
    approval.environment === data.environment;
  if (!grants) {
    throw new RuleViolated(
      'approval-not-granted',
      `approval ${data.approvalId} does not grant ${data.model}@${data.version} for ${data.environment}`,
      {
        approvalStatus: approval?.status ?? 'unrecorded',
        errors: { approvalId: ['not a granted approval of this version for this environment'] },
      },
    );
  }
}

function promote(command: PromoteDeployment, state: DeploymentState): DeploymentEvent[] {
  const active = liveSlot(state, command.data.deploymentId);
  if (!active?.canary) {
    throw new StateConflict('no-canary', `${command.data.deploymentId} runs no canary to promote`);
  }
  const event: DeploymentPromoted = {
    type: 'DeploymentPromoted',
    data: {
      ...slotOf(active),
      version: active.canary.version,
      previousVersion: active.version,
      promotedBy: command.actor,
      promotedAt: command.now,
    },
  };
  return [event];
}

function rollBack(command: RollBackDeployment, state: DeploymentState): DeploymentEvent[] {
  const { deploymentId, causeAlertId } = command.data;
  if (causeAlertId && state.status !== 'none') {
    const versions = automaticRollback(command, state);
    return versions ? [rolledBack(command, state as ActiveDeployment, ...versions)] : [];
  }
  const active = liveSlot(state, deploymentId);
  if (!active) {
    throw new StateConflict('nothing-deployed', `${deploymentId} serves no version to roll back`);
  }
  // With a canary running only the canary goes; otherwise the newest earlier full version returns.
  const [fromVersion, toVersion] = active.canary
    ? [active.canary.version, active.version]
    : [stableVersion(active), active.history[active.history.length - 1] ?? null];
  return [rolledBack(command, active, fromVersion, toVersion)];
}

/**
 * What a rollback for an alert does (README, "Monitoring by Attest"): nothing when this alert
 * already rolled the slot back or the breached version no longer serves (so every replica that
 * sees the breach decides it once); a breaching canary is dropped; a breaching stable version
 * gives way to the one before it, if there is one and no canary runs.
 */
function automaticRollback(
  { data }: RollBackDeployment,
  state: Exclude<DeploymentState, { status: 'none' }>,
): [string, string | null] | null {
  if (state.rollbackCauses?.includes(data.causeAlertId as string)) return null;
  if (state.status !== 'active') return null;
  const breached = data.breachedVersion;
  if (state.canary) {
    return breached === undefined || breached === state.canary.version
      ? [state.canary.version, state.version]
      : null;
  }
  const previous = state.history[state.history.length - 1];
  if (previous === undefined || (breached !== undefined && breached !== state.version)) return null;
  return [stableVersion(state), previous];
}

function rolledBack(
  command: RollBackDeployment,
  active: ActiveDeployment,
  fromVersion: string,
  toVersion: string | null,
): DeploymentRolledBack {
  const { reason, automatic, causeAlertId } = command.data;
  return {
    type: 'DeploymentRolledBack',
    data: {
      ...slotOf(active),
      fromVersion,
      toVersion,
      reason,
      automatic,
      ...(causeAlertId ? { causeAlertId } : {}),
      rolledBackBy: command.actor,
      rolledBackAt: command.now,
    },
  };
}

function retire(command: RetireDeployment, state: DeploymentState): DeploymentEvent[] {
  const { deploymentId, reason } = command.data;
  if (state.status === 'retired') return [];
  const active = liveSlot(state, deploymentId);
  if (!active) {
    throw new StateConflict(
      'nothing-deployed',
      `${deploymentId} serves no version: it was rolled back to nothing`,
    );
  }
  if (active.canary) {
    throw new StateConflict(
      'canary-in-progress',
      `${deploymentId} runs a canary of ${active.canary.version}: promote it or roll it back first`,
      { canaryVersion: active.canary.version, canaryPercent: active.canary.percent },
    );
  }
  const event: DeploymentRetired = {
    type: 'DeploymentRetired',
    data: {
      ...slotOf(active),
      version: stableVersion(active),
      reason,
      retiredBy: command.actor,
      retiredAt: command.now,
    },
  };
  return [event];
}

/** The slot when it serves something; 404 when never deployed, 409 when retired. */
function liveSlot(state: DeploymentState, deploymentId: string): ActiveDeployment | undefined {
  if (state.status === 'none') throw new NotRecorded('deployment', deploymentId);
  if (state.status === 'retired') {
    throw new StateConflict('deployment-retired', `${deploymentId} is retired`);
  }
  return state.status === 'active' ? state : undefined;
}

/** The version serving all traffic; an active slot with no canary always has one. */
function stableVersion(active: ActiveDeployment): string {
  if (active.version === null) throw new Error(`${active.deploymentId}: active with no version`);
  return active.version;
}

function slotOf(state: Exclude<DeploymentState, { status: 'none' }>): Slot {
  return {
    deploymentId: state.deploymentId,
    model: state.model,
    environment: state.environment,
  };
}

/** The alerts that rolled the slot back, carried through every later event. */
function causesOf(state: DeploymentState): Pick<Slot, 'rollbackCauses'> {
  return state.status !== 'none' && state.rollbackCauses
    ? { rollbackCauses: state.rollbackCauses }
    : {};
}

function withPrevious(history: string[], previous: string | null): string[] {
  return previous === null ? history : [...history, previous];
}
