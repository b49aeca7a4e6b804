import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { CommandBus } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { CLOCK, type Clock } from '../../ledger/clock';
import type { CommandContext } from '../../ledger/commands/command-context';
import type { WriteResult } from '../../ledger/commands/write-result';
import { DomainError } from '../../ledger/ledger.errors';
import { RecordModelEvaluationCommand } from '../../model-registry/commands/record-model-evaluation/record-model-evaluation.command';
import type { FairnessResult } from '../../model-registry/model.events';
import { EvaluationEngine, EvaluationFailed } from '../engine';
import { type Verdict, verdict } from '../evaluation-policy';
import type { EvaluationMeasures, ServiceEvaluation } from '../service-evaluation';
import { attestVersion } from './attest-version';
import type { EvaluationPlan } from './evaluation-plan';
import { type EvaluationRun, EvaluationRunStore, HEARTBEAT_MS } from './evaluation-run.store';

/** A run that recorded a passing evaluation, as the automatic-approval hook receives it. */
export type PassedEvaluation = {
  runId: string;
  model: string;
  version: string;
  environment: string;
  evaluationId: string;
  /** Where the ModelEvaluated event lies in the ledger. */
  ledgerPosition: string;
  /** Who asked for the run: the evaluation's `evaluatedBy`. */
  requestedBy: string;
  /**
   * The context the evaluation was recorded under (the requester as actor, the request's
   * correlation id; its own command id): a follow-up command may run under it.
   */
  context: CommandContext;
};

/**
 * Called after a run records a passing evaluation (README, "Evaluation runs"): where automatic
 * approval plugs in. Optional: any module may provide this token (it is looked up across the
 * application), or call EvaluationRunner.addPassedHook; without either nothing is called. A hook
 * that throws is logged; the run has succeeded all the same.
 */
export const EVALUATION_PASSED_HOOK = Symbol('EvaluationPassedHook');
export type EvaluationPassedHook = (passed: PassedEvaluation) => Promise<void>;

/** The reason shown for a run that failed on the server's side; details are in the log only. */
export const SERVER_FAULT = 'the evaluation failed on the server; see its log';
/** The reason shown for a run still going when the service stopped. */
export const SERVICE_STOPPED = 'interrupted: the service stopped during the run';

/** The metrics of a ModelEvaluated that Attest computed; nulls (0/0) are left out. */
const METRIC_NAMES = [
  'auc',
  'gini',
  'ks',
  'brier',
  'accuracy',
  'precision',
  'recall',
  'f1',
  'ece',
] as const;

/**
 * Carries out evaluation runs after POST …/evaluation-runs has answered 202 (README, "Evaluation
 * runs"): scores in the engine's worker threads, reporting progress and a heartbeat to the run's
 * row, judges the measures under the policy in force and records one ModelEvaluated whose
 * evaluationId is the run id, so a run can never record twice.
 */
@Injectable()
export class EvaluationRunner implements BeforeApplicationShutdown {
  private readonly logger = new Logger(EvaluationRunner.name);
  private readonly inFlight = new Map<string, Promise<void>>();
  private readonly addedHooks: EvaluationPassedHook[] = [];
  private closing = false;

  constructor(
    private readonly engine: EvaluationEngine,
    private readonly store: EvaluationRunStore,
    private readonly commands: CommandBus,
    private readonly modules: ModuleRef,
    @Inject(CLOCK) private readonly clock: Clock,
    @Optional() @Inject(EVALUATION_PASSED_HOOK) private readonly onPassed?: EvaluationPassedHook,
  ) {}

  /** Starts the run in the background; the returned promise is for tests and shutdown only. */
  start(run: EvaluationRun, plan: EvaluationPlan, requester: CommandContext): Promise<void> {
    const work = this.execute(run, plan, requester)
      .catch((error: unknown) => {
        // Never rejects: anything that escapes is a fault of the bookkeeping itself.
        this.logger.error(`evaluation run ${run.runId}: ${describe(error)}`);
      })
      .finally(() => this.inFlight.delete(run.runId));
    this.inFlight.set(run.runId, work);
    return work;
  }

  /**
   * Adds a hook called after every passing run, besides any EVALUATION_PASSED_HOOK provider: the
   * approvals capability adds automatic approval from its own module, which can import this one.
   */
  addPassedHook(hook: EvaluationPassedHook): void {
    this.addedHooks.push(hook);
  }

  /** Runs still going (tests wait for them). */
  get running(): Promise<void>[] {
    return [...this.inFlight.values()];
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.closing = true;
    const now = this.clock();
    await Promise.all(
      [...this.inFlight.keys()].map((runId) =>
        this.store.failed(runId, SERVICE_STOPPED, null, now).catch(() => undefined),
      ),
    );
  }

  private async execute(
    run: EvaluationRun,
    plan: EvaluationPlan,
    requester: CommandContext,
  ): Promise<void> {
    const started = Date.now();
    const label = `${run.model}@${run.version} on ${plan.datasetVersion.name}@${plan.datasetVersion.version}`;
    this.logger.log(
      `evaluation run ${run.runId} started: ${label}, ${plan.job.dataset.rows} rows${
        plan.job.champion ? `, champion ${plan.settings.champion}` : ''
      }`,
    );
    await this.store.started(run.runId, this.clock());
    const heartbeat = setInterval(() => {
      void this.store.heartbeat(run.runId).catch(() => undefined);
    }, HEARTBEAT_MS);
    heartbeat.unref();
    let lastProgress = Promise.resolve();
    let measures: EvaluationMeasures;
    try {
      measures = await this.engine.evaluate(plan.job, ({ rowsScored, rowsTotal }) => {
        // One update at a time, in order; a slow database never piles them up.
        lastProgress = lastProgress
          .then(() => this.store.progress(run.runId, rowsScored, rowsTotal))
          .catch(() => undefined);
      });
      await lastProgress;
    } catch (error) {
      clearInterval(heartbeat);
      await lastProgress;
      if (this.closing) return;
      if (error instanceof EvaluationFailed) {
        await this.store.failed(run.runId, error.message, error.field, this.clock());
        this.logger.log(
          `evaluation run ${run.runId} failed: ${label}${error.field ? ` (${error.field})` : ''} after ${elapsed(started)}`,
        );
        return;
      }
      // A server fault (a worker died, the store failed): the log has its message, which names no
      // row value; the run shows a generic reason.
      this.logger.error(`evaluation run ${run.runId} failed on the server: ${describe(error)}`);
      await this.store.failed(run.runId, SERVER_FAULT, null, this.clock());
      return;
    }
    clearInterval(heartbeat);
    if (this.closing) return;

    try {
      const judged = verdict(plan.rules, {
        auc: measures.metrics.auc,
        champion: measures.champion,
        ece: measures.metrics.ece,
        fairness: measures.fairness,
      });
      const context: CommandContext = {
        actor: requester.actor,
        now: this.clock().toISOString(),
        correlationId: requester.correlationId,
        commandId: uuidv7(),
      };
      const result = await this.record(run, plan, measures, judged, context);
      await this.store.succeeded(run.runId, {
        evaluationId: run.runId,
        ledgerPosition: result.ledgerPosition,
        verdict: judged,
        rows: measures.rows,
        at: this.clock(),
      });
      const seconds = (Date.now() - started) / 1000;
      this.logger.log(
        `evaluation run ${run.runId} succeeded: ${label}, ${measures.rows} rows in ${seconds.toFixed(1)} s (${Math.round(measures.rows / Math.max(seconds, 0.001))} rows/s), verdict ${judged.outcome}`,
      );
      if (judged.passed) await this.passed(run, result.ledgerPosition, context);
    } catch (error) {
      if (this.closing) return;
      if (error instanceof DomainError) {
        // The ledger refused the evaluation (the version was retired meanwhile): a sentence
        // about the version, safe to show.
        await this.store.failed(run.runId, error.message, null, this.clock());
        this.logger.log(`evaluation run ${run.runId} not recorded: ${error.code}`);
        return;
      }
      this.logger.error(`evaluation run ${run.runId} failed on the server: ${describe(error)}`);
      await this.store.failed(run.runId, SERVER_FAULT, null, this.clock());
    }
  }

  /** One ModelEvaluated, through the model registry's command (its decider ignores a repeat). */
  private record(
    run: EvaluationRun,
    plan: EvaluationPlan,
    measures: EvaluationMeasures,
    judged: Verdict,
    context: CommandContext,
  ): Promise<WriteResult> {
    const { timings: _timings, ...measured } = measures;
    const { environment: _environment, dataset: _dataset, ...settings } = plan.settings;
    const service: ServiceEvaluation = {
      runId: run.runId,
      environment: plan.settings.environment,
      inputs: {
        artifactDigest: plan.inputs.artifactDigest,
        datasetContentHash: plan.inputs.datasetContentHash,
        championArtifactDigest: plan.inputs.championArtifactDigest,
        onnxruntimeVersion: plan.artifact.onnxruntimeVersion,
        attestVersion: attestVersion(),
        policyVersion: plan.inputs.policyVersion,
      },
      settings,
      measures: measured,
      verdict: judged,
    };
    const metrics: Record<string, number> = {};
    for (const name of METRIC_NAMES) {
      const value = measures.metrics[name];
      if (typeof value === 'number' && Number.isFinite(value)) metrics[name] = value;
    }
    return this.commands.execute(
      new RecordModelEvaluationCommand(
        {
          evaluationId: run.runId,
          model: run.model,
          version: run.version,
          datasetVersion: { name: plan.datasetVersion.name, version: plan.datasetVersion.version },
          metrics,
          baseline:
            measures.champion && plan.settings.champion
              ? { version: plan.settings.champion, metrics: { auc: measures.champion.auc } }
              : null,
          fairness: fairnessResults(judged, measures),
          verdict: judged.passed ? 'pass' : 'fail',
          performedBy: 'attest',
          service,
        },
        context,
      ),
    );
  }

  private async passed(
    run: EvaluationRun,
    ledgerPosition: string,
    context: CommandContext,
  ): Promise<void> {
    // AUTOMATIC APPROVAL CALL SITE: the approvals capability provides EVALUATION_PASSED_HOOK.
    const provided = this.onPassed ?? this.providedHook();
    const hooks = [...(provided ? [provided] : []), ...this.addedHooks];
    for (const hook of hooks) {
      try {
        await hook({
          runId: run.runId,
          model: run.model,
          version: run.version,
          environment: run.environment,
          evaluationId: run.runId,
          ledgerPosition,
          requestedBy: run.requestedBy,
          context: { ...context, commandId: uuidv7() },
        });
      } catch (error) {
        this.logger.error(`evaluation run ${run.runId}: a passed hook failed: ${describe(error)}`);
      }
    }
  }

  /** EVALUATION_PASSED_HOOK from whichever module provides it, if one does. */
  private providedHook(): EvaluationPassedHook | undefined {
    try {
      return this.modules.get<EvaluationPassedHook>(EVALUATION_PASSED_HOOK, { strict: false });
    } catch {
      return undefined;
    }
  }
}

/**
 * One FairnessResult per fairness rule the verdict assessed, with each group's selection rate. A
 * rule not assessable (a group too small) has no value and is left out here; the verdict in
 * `service` keeps it with its reason.
 */
function fairnessResults(judged: Verdict, measures: EvaluationMeasures): FairnessResult[] {
  const results: FairnessResult[] = [];
  for (const result of judged.results) {
    if (result.attribute === undefined || result.value === null) continue;
    const measured = measures.fairness.find((f) => f.attribute === result.attribute);
    results.push({
      attribute: result.attribute,
      metric: result.rule,
      value: result.value,
      threshold: result.threshold,
      groups: Object.fromEntries(
        (measured?.groups ?? []).map((group) => [group.group, group.selectionRate]),
      ),
      passed: result.status === 'pass',
    });
  }
  return results;
}

const elapsed = (started: number) => `${((Date.now() - started) / 1000).toFixed(1)} s`;

/** An error for the log: its type and message, never a stack of values. */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
