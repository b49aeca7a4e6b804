import { Inject, Injectable } from '@nestjs/common';
import { v7 as uuidv7 } from 'uuid';
import { CLOCK, type Clock } from '../ledger/clock';
import { type CommandContext, derivedUuid } from '../ledger/commands/command-context';
import { StreamWriter } from '../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../ledger/commands/write-result';
import type { Actor } from '../ledger/event-log.port';
import { streams } from '../ledger/stream-names';
import { modelDecider } from '../model-registry/model.decider';
import { retrainingDecider } from './retraining.decider';
import type { RetrainingReason, RetrainingSignal } from './retraining.events';

/** Who records the triggers the service decides on its own (breaches, cadences). */
export const RETRAINING_TRIGGERER: Actor = { sub: 'attest:retraining', roles: [] };

export type RetrainingTriggerInput = {
  model: string;
  reason: RetrainingReason;
  signals: RetrainingSignal[];
  /** Omitted: derived from the model, the reason and the signals' event ids. */
  triggerId?: string;
  note?: string;
};

/** The trigger id a cause gets: the same signals of the same model always give the same id. */
export function triggerIdOf(model: string, reason: RetrainingReason, signals: RetrainingSignal[]) {
  const ids = signals.map((signal) => signal.eventId).sort();
  return derivedUuid('retraining-trigger', model, reason, ...ids);
}

/**
 * Records RetrainingTriggered (README, "Retraining triggers"). Monitoring calls it on a breach
 * whose policy says to retrain, the cadence check when a model's last training run is too old,
 * and the HTTP route for a person. Idempotent by trigger id: a breach every replica sees, or a
 * cadence checked twice in one period, is recorded once.
 */
@Injectable()
export class RetrainingTrigger {
  constructor(
    private readonly writer: StreamWriter,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async trigger(input: RetrainingTriggerInput, context?: CommandContext): Promise<WriteResult> {
    const ctx = context ?? this.systemContext();
    const triggerId =
      input.triggerId ??
      (input.signals.length > 0 || input.reason !== 'manual'
        ? triggerIdOf(input.model, input.reason, input.signals)
        : uuidv7());
    const signals = input.signals.map((signal) => ({
      eventId: signal.eventId,
      type: signal.type,
      ...(signal.metric !== undefined ? { metric: signal.metric } : {}),
      ...(signal.value !== undefined ? { value: signal.value } : {}),
      ...(signal.threshold !== undefined ? { threshold: signal.threshold } : {}),
    }));
    const outcome = await this.writer.execute(
      streams.retraining(input.model),
      retrainingDecider,
      async (facts) => ({
        type: 'TriggerRetraining' as const,
        data: {
          model: input.model,
          triggerId,
          reason: input.reason,
          signals,
          ...(input.note !== undefined ? { note: input.note } : {}),
        },
        modelRegistered:
          (await facts.state(modelDecider, streams.model(input.model))).versions.size > 0,
        actor: ctx.actor.sub,
        now: ctx.now,
      }),
      ctx,
    );
    return writeResult(triggerId, outcome);
  }

  private systemContext(): CommandContext {
    const id = uuidv7();
    return {
      actor: { ...RETRAINING_TRIGGERER, roles: [...RETRAINING_TRIGGERER.roles] },
      now: this.clock().toISOString(),
      correlationId: id,
      commandId: id,
    };
  }
}
