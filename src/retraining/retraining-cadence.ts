import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CLOCK, type Clock } from '../ledger/clock';
import { derivedUuid } from '../ledger/commands/command-context';
import { EVENT_LOG, type EventLog } from '../ledger/event-log.port';
import { StreamNotFound } from '../ledger/ledger.errors';
import { streams } from '../ledger/stream-names';
import { RetrainingTrigger } from './retraining-trigger';

const DAY_MS = 86_400_000;

/**
 * The days a model's monitoring policy allows between completed training runs (`retrainEveryDays`
 * of its effective rules, `MonitoringPolicies.effectiveFor`), or null for no cadence.
 */
export abstract class CadencePolicy {
  abstract retrainEveryDays(model: string): Promise<number | null>;
}

/** One cadence the check found due. */
export type DueCadence = {
  model: string;
  triggerId: string;
  /** When the period ran out: the last completed run plus a whole number of cadences. */
  dueAt: string;
  /** Whether this check recorded it (false: an earlier check or another replica had). */
  recorded: boolean;
};

/**
 * Finds the models whose last completed training run is older than their policy's cadence and
 * records RetrainingTriggered (reason cadence) for each (README, "Retraining triggers"). The
 * trigger id comes from the model and the period's due date, so however often it is checked, and
 * on however many replicas, a period triggers once; a model still not retrained a cadence later
 * is due again.
 */
@Injectable()
export class RetrainingCadenceCheck {
  constructor(
    private readonly db: DataSource,
    @Inject(EVENT_LOG) private readonly eventLog: EventLog,
    private readonly trigger: RetrainingTrigger,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly policy: CadencePolicy,
  ) {}

  async check(): Promise<DueCadence[]> {
    const now = this.clock();
    const models: { name: string }[] = await this.db.query('SELECT name FROM models ORDER BY name');
    const due: DueCadence[] = [];
    for (const { name: model } of models) {
      const days = await this.policy.retrainEveryDays(model);
      if (days === null || !(days > 0)) continue;
      const last = await this.lastCompletedRun(model);
      if (!last) continue;
      const periods = Math.floor((now.getTime() - last.completedAt.getTime()) / (days * DAY_MS));
      if (periods < 1) continue;
      const dueAt = new Date(last.completedAt.getTime() + periods * days * DAY_MS).toISOString();
      const triggerId = derivedUuid('retraining-cadence', model, dueAt);
      const outcome = await this.trigger.trigger({
        model,
        reason: 'cadence',
        triggerId,
        signals: [
          {
            eventId: last.eventId,
            type: 'TrainingRunCompleted',
            metric: 'days-since-training',
            value: periods * days,
            threshold: days,
          },
        ],
      });
      due.push({ model, triggerId, dueAt, recorded: outcome.eventIds.length > 0 });
    }
    return due;
  }

  /**
   * The model's newest completed run by the training-runs read model, and its completion event
   * from the run's own stream (the id the trigger cites).
   */
  private async lastCompletedRun(
    model: string,
  ): Promise<{ eventId: string; completedAt: Date } | undefined> {
    const [run]: { run_id: string }[] = await this.db.query(
      `SELECT run_id FROM training_runs WHERE model = $1 AND status = 'completed'
        ORDER BY finished_at DESC, run_id DESC LIMIT 1`,
      [model],
    );
    if (!run) return undefined;
    try {
      const events = await this.eventLog.readStream(streams.trainingRun(run.run_id));
      const completed = events.find((event) => event.type === 'TrainingRunCompleted');
      if (!completed) return undefined;
      return {
        eventId: completed.id,
        completedAt: new Date(String(completed.data.completedAt)),
      };
    } catch (error) {
      if (error instanceof StreamNotFound) return undefined;
      throw error;
    }
  }
}
