import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, runsProjections } from '../../config/app-config';
import { deploymentDecider } from '../../deployments/deployment.decider';
import { auc } from '../../evaluation/metrics';
import { CLOCK, type Clock } from '../../ledger/clock';
import { classifyDatabaseError } from '../../ledger/database/database-errors';
import { SerialWork } from '../../ledger/database/serial-work';
import { type CommandContext, derivedUuid } from '../../ledger/commands/command-context';
import { RuleViolated, StateConflict } from '../../ledger/commands/rule-errors';
import { StreamWriter } from '../../ledger/commands/stream-writer';
import { streams } from '../../ledger/stream-names';
import { deploymentStanding } from '../../predictions/deployment-standing';
import { type BatchFact, groundTruthDecider } from '../../predictions/ground-truth.decider';
import { predictionBatchDecider } from '../../predictions/prediction-batch.decider';
import { ReceiptOutcomes } from '../../receipts/outcomes/receipt-outcomes';
import { type Breach, BreachResponder, MONITOR, alertCause } from '../breach-responder';
import { deploymentSlot, readDeployment, recordSignal } from '../commands/record-signal';
import { MonitoringPolicies } from '../monitoring-policies';
import type { MonitoringWindow } from '../monitoring-policy';
import { baselineEvaluation } from '../monitoring-model-facts';

/** Realised performance is judged over windows of this many hours unless the policy gives hours. */
export const PERFORMANCE_WINDOW_HOURS = 24;
/** How often every deployment with new outcomes is checked, besides a check after outcomes arrive. */
const SWEEP_MS = 60_000;
/** The most windows one check walks back over (a year of hourly windows is 8,784). */
const MAX_WINDOWS = 10_000;

/** What one window's judgement recorded. */
export type PerformanceJudgement = {
  version: string;
  window: { from: string; to: string };
  outcomes: number;
  metrics: { auc: number | null; accuracy: number };
  baseline: { evaluationId: string; auc: number; accuracy: number };
  breaches: Breach[];
};

const HOUR_MS = 3_600_000;

/** The window length in milliseconds under the policy. */
export function performanceWindowMs(window: MonitoringWindow): number {
  return (window && 'hours' in window ? window.hours : PERFORMANCE_WINDOW_HOURS) * HOUR_MS;
}

/**
 * Realised performance (README, "Monitoring by Attest"): outcomes joined to decision receipts
 * (ReceiptOutcomes) are judged per deployment version over consecutive windows of scoring time
 * (epoch-aligned, PERFORMANCE_WINDOW_HOURS or the policy's hours). A window is judged once, the
 * first time it holds `performance.minOutcomes` outcomes of sealed receipts: realised AUC and
 * accuracy are recorded as GroundTruthRecorded and one PerformanceDegraded per metric against the
 * version's passing evaluation by Attest (threshold = its value − the allowed drop; a breach
 * raises an alert, and the BreachResponder acts on it). Every id derives from the deployment,
 * version, window and metric, so replicas judging the same window record it once.
 */
@Injectable()
export class PerformanceMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('PerformanceMonitor');
  private readonly work = new SerialWork<void>({
    pass: () => this.sweepPass(),
    nextDelayMs: () => SWEEP_MS,
    logger: this.logger,
    failure: 'performance checks failed',
  });
  private sweptUntil: Date | null = null;
  private readonly running = new Map<string, Promise<PerformanceJudgement[]>>();
  /** The check started by the latest outcomes of each deployment. */
  private readonly afterOutcomes = new Map<string, Promise<PerformanceJudgement[]>>();

  constructor(
    private readonly db: DataSource,
    private readonly writer: StreamWriter,
    private readonly outcomes: ReceiptOutcomes,
    private readonly policies: MonitoringPolicies,
    private readonly breaches: BreachResponder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    // Outcomes just stored are judged at once, by the process that stored them; the sweep, run
    // by projector processes rather than API ones (README, "Projector role"), catches the rest.
    this.outcomes.addRecordedHook((deploymentId) => {
      if (this.closing) return;
      const judged = this.check(deploymentId).catch((error: unknown) => {
        if (!this.closing && classifyDatabaseError(error) !== 'unavailable') {
          this.logger.warn({ err: error }, 'performance check after outcomes failed');
        }
        return [];
      });
      this.afterOutcomes.set(deploymentId, judged);
    });
    if (runsProjections(this.config.role)) this.work.start(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all([
      this.work.close(),
      ...[...this.running.values()].map((p) => p.catch(() => undefined)),
    ]);
  }

  private get closing(): boolean {
    return this.work.closing;
  }

  /** What the check started by the deployment's latest outcomes judged, once it is done. */
  judgedAfterOutcomes(deploymentId: string): Promise<PerformanceJudgement[]> {
    return this.afterOutcomes.get(deploymentId) ?? Promise.resolve([]);
  }

  /**
   * Checks every deployment with outcomes recorded since the last sweep (all, the first time).
   * One sweep at a time: a call during one waits for it and sweeps again.
   */
  sweep(): Promise<void> {
    return this.work.run();
  }

  private async sweepPass(): Promise<void> {
    const started = new Date();
    const deployments = await this.outcomes.deploymentsWithOutcomes(this.sweptUntil);
    for (const deploymentId of deployments) {
      if (this.closing) return;
      await this.check(deploymentId);
    }
    this.sweptUntil = new Date(started.getTime() - SWEEP_MS);
  }

  /**
   * Judges every window of every version of the deployment that holds enough outcomes and was
   * not judged yet. Call it after outcomes are recorded; one check per deployment at a time here.
   */
  async check(deploymentId: string): Promise<PerformanceJudgement[]> {
    // Until none is under way: several callers waiting on one pass would otherwise all start.
    for (
      let current = this.running.get(deploymentId);
      current;
      current = this.running.get(deploymentId)
    ) {
      await current.catch(() => undefined);
    }
    const pass = this.judgeDeployment(deploymentId);
    this.running.set(deploymentId, pass);
    try {
      return await pass;
    } finally {
      if (this.running.get(deploymentId) === pass) this.running.delete(deploymentId);
    }
  }

  private async judgeDeployment(deploymentId: string): Promise<PerformanceJudgement[]> {
    const { model, environment } = deploymentSlot(deploymentId);
    const deployment = await readDeployment(this.writer, deploymentId);
    const judged: PerformanceJudgement[] = [];
    const { facts, rulesFor } = await this.policies.forModel(model);
    for (const version of deployment.versions) {
      const rules = rulesFor(version);
      const baseline = baselineEvaluation(facts.versions.get(version), environment);
      if (!baseline) continue;
      const span = await this.outcomes.outcomeSpan(deploymentId, version);
      if (!span) continue;
      const size = performanceWindowMs(rules.window);
      const first = Math.floor(span.first.getTime() / size) * size;
      const last = span.last.getTime();
      const done = new Set(
        (
          (await this.db.query(
            'SELECT window_from FROM performance_checks WHERE deployment_id = $1 AND version = $2',
            [deploymentId, version],
          )) as { window_from: Date | string }[]
        ).map((row) => new Date(row.window_from).getTime()),
      );
      const start = Math.max(first, last - MAX_WINDOWS * size);
      for (let from = Math.floor(start / size) * size; from <= last; from += size) {
        if (done.has(from)) continue;
        const window = {
          from: new Date(from).toISOString(),
          to: new Date(from + size).toISOString(),
        };
        const realised = await this.outcomes.realised(deploymentId, version, window);
        if (realised.count < rules.performance.minOutcomes || realised.batchIds.length === 0)
          continue;
        const labels = Float64Array.from(realised.labels, (l) =>
          l === baseline.positiveLabel ? 1 : 0,
        );
        const correct = labels.reduce(
          (n, label, i) => n + (label === realised.positive[i] ? 1 : 0),
          0,
        );
        const metrics = {
          auc: auc(realised.scores, labels),
          accuracy: correct / realised.count,
        };
        const context: CommandContext = {
          actor: MONITOR,
          now: this.clock().toISOString(),
          correlationId: derivedUuid('performance-check', deploymentId, version, window.from),
          commandId: derivedUuid(
            'performance-check',
            deploymentId,
            version,
            window.from,
            'command',
          ),
        };
        const recorded = await this.groundTruth(
          { deploymentId, model, environment, version, window, metrics, realised },
          context,
        );
        if (!recorded) continue;
        const breaches: Breach[] = [];
        const judge = [
          ['auc', metrics.auc, baseline.auc, rules.performance.maxAucDrop],
          ['accuracy', metrics.accuracy, baseline.accuracy, rules.performance.maxAccuracyDrop],
        ] as const;
        for (const [metric, value, expected, drop] of judge) {
          if (value === null) continue;
          const threshold = round(expected - drop);
          const signalId = derivedUuid(
            'performance-signal',
            deploymentId,
            version,
            window.from,
            metric,
          );
          try {
            const written = await recordSignal(
              this.writer,
              {
                type: 'RecordPerformance',
                data: {
                  signalId,
                  deploymentId,
                  model,
                  environment,
                  version,
                  metric,
                  value: round(value),
                  threshold,
                  higherIsBetter: true,
                  window,
                },
                deployment,
                actor: context.actor.sub,
                now: context.now,
              },
              'high',
              { ...context, commandId: derivedUuid('performance-check', signalId) },
            );
            if (written.alertId) {
              breaches.push({
                deploymentId,
                model,
                version,
                reason: 'performance',
                alertId: written.alertId,
                signalEventId: await alertCause(this.writer, written.alertId),
                signalType: 'PerformanceDegraded',
                metric,
                value: round(value),
                threshold,
                summary: `realised ${metric} is ${round(value)}, below ${threshold} for ${model}@${version}`,
              });
            }
          } catch (error) {
            // Judged before with other outcomes (a replica, a retry): the first judgement stands.
            if (!(error instanceof StateConflict && error.code === 'signal-already-recorded'))
              throw error;
          }
        }
        await this.breaches.respond(breaches, rules, context);
        await this.db.query(
          `INSERT INTO performance_checks (deployment_id, version, window_from, window_to, outcomes)
           VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`,
          [deploymentId, version, window.from, window.to, realised.count],
        );
        judged.push({
          version,
          window,
          outcomes: realised.count,
          metrics,
          baseline: {
            evaluationId: baseline.evaluationId,
            auc: baseline.auc,
            accuracy: baseline.accuracy,
          },
          breaches,
        });
      }
    }
    return judged;
  }

  /**
   * GroundTruthRecorded for the window: counts and metrics only, the labels by digest. False when
   * it cannot be recorded yet (labelled receipts not sealed into the batches it cites).
   */
  private async groundTruth(
    judged: {
      deploymentId: string;
      model: string;
      environment: string;
      version: string;
      window: { from: string; to: string };
      metrics: { auc: number | null; accuracy: number };
      realised: Awaited<ReturnType<ReceiptOutcomes['realised']>>;
    },
    context: CommandContext,
  ): Promise<boolean> {
    const { deploymentId, model, environment, version, window, metrics, realised } = judged;
    const groundTruthId = derivedUuid(
      'ground-truth',
      deploymentId,
      version,
      window.from,
      window.to,
    );
    const batches = await Promise.all(realised.batchIds.map((batchId) => this.batch(batchId)));
    const labelsDigest = `sha256:${createHash('sha256').update(JSON.stringify(realised.labels)).digest('hex')}`;
    try {
      await this.writer.execute(
        streams.groundTruth(groundTruthId),
        groundTruthDecider,
        async (facts) => ({
          type: 'RecordGroundTruth' as const,
          data: {
            groundTruthId,
            deploymentId,
            model,
            environment,
            version,
            batchIds: realised.batchIds,
            window,
            count: realised.count,
            labelsDigest,
            metrics: {
              ...(metrics.auc === null ? {} : { auc: round(metrics.auc) }),
              accuracy: round(metrics.accuracy),
            },
          },
          deployment: deploymentStanding(
            deploymentId,
            await facts.state(deploymentDecider, streams.deployment(deploymentId)),
          ),
          batches,
          actor: context.actor.sub,
          now: context.now,
        }),
        context,
      );
      return true;
    } catch (error) {
      // More outcomes than the cited batches predicted: some receipts are not sealed yet.
      if (error instanceof RuleViolated && error.code === 'inconsistent-ground-truth') return false;
      throw error;
    }
  }

  private async batch(batchId: string): Promise<BatchFact> {
    const state = await this.writer.state(predictionBatchDecider, streams.predictionBatch(batchId));
    return state.status === 'recorded'
      ? { batchId, deploymentId: state.deploymentId, version: state.version, count: state.count }
      : { batchId, deploymentId: null, version: null, count: 0 };
  }
}

const round = (x: number) => Math.round(x * 1e6) / 1e6;
