import { Injectable, Logger } from '@nestjs/common';
import type { CommandContext } from '../ledger/commands/command-context';
import { StreamWriter } from '../ledger/commands/stream-writer';
import type { Actor } from '../ledger/event-log.port';
import { streams } from '../ledger/stream-names';
import { deploymentDecider } from '../deployments/deployment.decider';
import { RetrainingTrigger } from '../retraining/retraining-trigger';
import { alertDecider } from './alert.decider';
import type { MonitoringRules } from './monitoring-policy';

/** Who records what monitoring by Attest decides (README, "Monitoring by Attest"). */
export const MONITOR: Actor = { sub: 'attest', roles: [] };

/** A breach Attest found: the alert it raised and the signal that raised it. */
export type Breach = {
  deploymentId: string;
  model: string;
  version: string;
  reason: 'drift' | 'performance';
  alertId: string;
  /** The DriftDetected or PerformanceDegraded event id. */
  signalEventId: string;
  signalType: 'DriftDetected' | 'PerformanceDegraded';
  metric: string;
  value: number;
  threshold: number;
  summary: string;
};

/**
 * What a breach does besides its alert, as the policy says (README, "Monitoring by Attest"):
 * roll the deployment back (`onBreach.rollback`) and/or trigger retraining (`onBreach.retrain`).
 * Both are idempotent, so a breach handled twice, or by several replicas at once, acts once: the
 * rollback is decided on the deployment's stream at the revision read (a concurrent one is
 * decided again, and then finds the alert already rolled back or the version gone), and the
 * trigger's id derives from its signals.
 */
@Injectable()
export class BreachResponder {
  private readonly logger = new Logger('BreachResponder');

  constructor(
    private readonly writer: StreamWriter,
    private readonly retraining: RetrainingTrigger,
  ) {}

  async respond(
    breaches: Breach[],
    rules: MonitoringRules,
    context: CommandContext,
  ): Promise<void> {
    if (breaches.length === 0) return;
    if (rules.onBreach.rollback) {
      for (const breach of breaches) await this.rollBack(breach, context);
    }
    if (rules.onBreach.retrain) {
      const [first] = breaches;
      await this.retraining.trigger(
        {
          model: first.model,
          reason: first.reason,
          signals: breaches.map((breach) => ({
            eventId: breach.signalEventId,
            type: breach.signalType,
            metric: breach.metric,
            value: breach.value,
            threshold: breach.threshold,
          })),
        },
        context,
      );
    }
  }

  /** Rolls back the breaching version for this alert; nothing when that was done or moot. */
  async rollBack(breach: Breach, context: CommandContext): Promise<boolean> {
    const outcome = await this.writer.execute(
      streams.deployment(breach.deploymentId),
      deploymentDecider,
      {
        type: 'RollBackDeployment',
        data: {
          deploymentId: breach.deploymentId,
          reason: `automatic: ${breach.summary}`,
          automatic: true,
          causeAlertId: breach.alertId,
          breachedVersion: breach.version,
        },
        actor: context.actor.sub,
        now: context.now,
      },
      context,
    );
    if (outcome.events.length > 0) {
      this.logger.log(
        `rolled back ${breach.deploymentId} (${breach.model}@${breach.version}) for alert ${breach.alertId}`,
      );
    }
    return outcome.events.length > 0;
  }
}

/** The signal behind an alert: its AlertRaised names it (what a retraining trigger cites). */
export async function alertCause(writer: StreamWriter, alertId: string): Promise<string> {
  const loaded = await writer.load(alertDecider, streams.alert(alertId));
  const raised = loaded.events.find((event) => event.type === 'AlertRaised');
  const cause = raised?.type === 'AlertRaised' ? raised.data.causeEventId : null;
  if (!cause) throw new Error(`alert ${alertId} names no signal`);
  return cause;
}
