import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, runsProjections } from '../../config/app-config';
import { CLOCK, type Clock } from '../../ledger/clock';
import { classifyDatabaseError } from '../../ledger/database/database-errors';
import { SerialWork } from '../../ledger/database/serial-work';
import { type CommandContext, derivedUuid } from '../../ledger/commands/command-context';
import { StateConflict } from '../../ledger/commands/rule-errors';
import { StreamWriter } from '../../ledger/commands/stream-writer';
import type { BatchBins, BinnedCounts } from '../../predictions/prediction.events';
import { type Breach, BreachResponder, MONITOR, alertCause } from '../breach-responder';
import { readDeployment, recordSignal } from '../commands/record-signal';
import { MonitoringPolicies } from '../monitoring-policies';
import type { MonitoringWindow } from '../monitoring-policy';
import {
  type MonitoringEvaluation,
  type MonitoringModelFacts,
  baselineEvaluation,
} from '../monitoring-model-facts';
import { categoricalBaselineShares, numericBaselineShares, pooled, psi } from './psi';

/** The name a drift signal gives the score's distribution (features are named by themselves). */
export const SCORE_FEATURE = '(score)';

/** How often an idle monitor looks for checks; a lease a stopped process held runs out after LEASE_MS. */
const POLL_MS = 500;
const LEASE_MS = 60_000;
/** A check that keeps failing is retried after this, growing with each attempt up to RETRY_MAX_MS. */
const RETRY_MS = 1_000;
const RETRY_MAX_MS = 5 * 60_000;

type BatchRow = {
  seq: string;
  batch_id: string;
  deployment_id: string;
  model: string;
  environment: string;
  version: string;
  window_from: Date | string;
  window_to: Date | string;
  bins: BatchBins;
};

/** What one drift check recorded. */
export type DriftCheckResult = {
  batchId: string;
  /** Each distribution's PSI (null: no baseline or nothing observed), whether recorded or not. */
  figures: { feature: string; value: number | null; recorded: boolean; breached: boolean }[];
  breaches: Breach[];
  /** Why nothing was measured, when nothing was. */
  skipped?: string;
};

const iso = (value: Date | string) =>
  (value instanceof Date ? value : new Date(value)).toISOString();

/**
 * Drift computed by the service (README, "Monitoring by Attest"): takes the checks the
 * MonitoringChecksProjection enqueued, one at a time under a lease, computes the PSI of the score
 * and of each feature over the policy's window against the version's baseline, records a
 * DriftDetected for each above the warn level (a breach above the alert level raises an alert),
 * lets the BreachResponder act on the breaches, and marks the check done. A process that dies
 * mid-check leaves the row to be taken again when its lease runs out; signal and alert ids derive
 * from the batch and feature, so a second pass records nothing twice.
 */
@Injectable()
export class DriftMonitor implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('DriftMonitor');
  private readonly owner = randomUUID();
  private readonly work = new SerialWork<number>({
    pass: () => this.pass(),
    nextDelayMs: () => POLL_MS,
    logger: this.logger,
    failure: 'drift checks failed; retrying',
  });

  constructor(
    private readonly db: DataSource,
    private readonly writer: StreamWriter,
    private readonly policies: MonitoringPolicies,
    private readonly breaches: BreachResponder,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Checks are taken by projector processes, not by API ones (README, "Projector role"). */
  onApplicationBootstrap(): void {
    if (runsProjections(this.config.role)) this.work.start(0);
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.work.close();
  }

  /** Takes and runs every due check; resolves with how many were done. One drain at a time. */
  drain(): Promise<number> {
    return this.work.run();
  }

  private get closing(): boolean {
    return this.work.closing;
  }

  private async pass(): Promise<number> {
    let done = 0;
    for (;;) {
      if (this.closing) return done;
      const taken = await this.take();
      if (!taken) return done;
      try {
        await this.check(taken.batch_id);
        await this.db.query(
          'UPDATE monitoring_checks SET done_at = now() WHERE seq = $1 AND claimed_by = $2',
          [taken.seq, this.owner],
        );
        done++;
      } catch (error) {
        if (this.closing) return done;
        // The database is away: the lease brings the check back once it answers again.
        if (classifyDatabaseError(error) === 'unavailable') throw error;
        const attempts = taken.attempts + 1;
        const delay = Math.min(RETRY_MAX_MS, RETRY_MS * 2 ** Math.min(attempts, 20));
        this.logger.warn(
          { err: error, batchId: taken.batch_id, attempts },
          'drift check failed; it will be retried',
        );
        await this.db.query(
          `UPDATE monitoring_checks SET attempts = $3, last_error = $4,
             claimed_until = now() + $5::int * interval '1 millisecond'
           WHERE seq = $1 AND claimed_by = $2`,
          [taken.seq, this.owner, attempts, describe(error), delay],
        );
      }
    }
  }

  /** The oldest due check, leased to this process by one statement (no transaction held open). */
  private async take(): Promise<{ seq: string; batch_id: string; attempts: number } | null> {
    const rows = (await this.db.query(
      `UPDATE monitoring_checks SET claimed_by = $1,
         claimed_until = now() + $2::int * interval '1 millisecond'
       WHERE seq = (
         SELECT seq FROM monitoring_checks
          WHERE done_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
          ORDER BY seq LIMIT 1 FOR UPDATE SKIP LOCKED)
       RETURNING seq, batch_id, attempts`,
      [this.owner, LEASE_MS],
    )) as unknown;
    // TypeORM answers an UPDATE … RETURNING on PostgreSQL as [rows, count].
    const list = (Array.isArray(rows) && Array.isArray(rows[0]) ? rows[0] : rows) as {
      seq: string;
      batch_id: string;
      attempts: number;
    }[];
    return list[0] ?? null;
  }

  /**
   * One batch's drift: safe to run again (and from several replicas at once), since every id it
   * appends under derives from the batch.
   */
  async check(batchId: string): Promise<DriftCheckResult> {
    const [batch] = (await this.db.query('SELECT * FROM monitoring_batches WHERE batch_id = $1', [
      batchId,
    ])) as BatchRow[];
    if (!batch) return { batchId, figures: [], breaches: [], skipped: 'no binned batch' };
    const { facts, rulesFor } = await this.policies.forModel(batch.model);
    const rules = rulesFor(batch.version);
    const baseline = baselineOf(batch, facts);
    if (!baseline) {
      return {
        batchId,
        figures: [],
        breaches: [],
        skipped: 'no passing evaluation by Attest to compare with',
      };
    }
    const window = await this.windowOf(batch, rules.window);
    const context: CommandContext = {
      actor: MONITOR,
      now: this.clock().toISOString(),
      correlationId: derivedUuid('drift-check', batchId),
      commandId: derivedUuid('drift-check', batchId, 'command'),
    };
    const deployment = await readDeployment(this.writer, batch.deployment_id);
    const figures: DriftCheckResult['figures'] = [];
    const breaches: Breach[] = [];
    const distributions: [string, (bins: BatchBins) => BinnedCounts | undefined][] = [
      [SCORE_FEATURE, (bins) => bins.score],
      ...batch.bins.features.map(
        (f) =>
          [f.feature, (bins: BatchBins) => bins.features.find((g) => g.feature === f.feature)] as [
            string,
            (bins: BatchBins) => BinnedCounts | undefined,
          ],
      ),
    ];
    for (const [feature, pick] of distributions) {
      const own = pick(batch.bins) as BinnedCounts;
      const shares = baselineShares(baseline, feature, own);
      const alike = window.batches
        .map((b) => pick(b.bins))
        .filter((d): d is BinnedCounts => d !== undefined && sameBins(d, own));
      const counts = pooled(alike);
      const observed = counts ? counts.counts.reduce((sum, n) => sum + n, 0) : 0;
      // Too few values for a figure: PSI over a handful of rows is sampling noise.
      const result =
        shares && counts && observed >= rules.psi.minCount ? psi(shares, counts.counts) : null;
      if (!result || !(result.value > rules.psi.warn)) {
        figures.push({ feature, value: result?.value ?? null, recorded: false, breached: false });
        continue;
      }
      const signalId = derivedUuid('drift-signal', batchId, feature);
      try {
        const written = await recordSignal(
          this.writer,
          {
            type: 'RecordDrift',
            data: {
              signalId,
              deploymentId: batch.deployment_id,
              model: batch.model,
              environment: batch.environment,
              version: batch.version,
              feature,
              metric: 'psi',
              value: result.value,
              threshold: rules.psi.alert,
              window: window.span,
              bins: result.bins,
            },
            deployment,
            actor: context.actor.sub,
            now: context.now,
          },
          'high',
          { ...context, commandId: derivedUuid('drift-check', batchId, feature) },
        );
        const breached = written.alertId !== null;
        figures.push({ feature, value: result.value, recorded: true, breached });
        if (written.alertId) {
          breaches.push({
            deploymentId: batch.deployment_id,
            model: batch.model,
            version: batch.version,
            reason: 'drift',
            alertId: written.alertId,
            signalEventId: await alertCause(this.writer, written.alertId),
            signalType: 'DriftDetected',
            metric: 'psi',
            value: result.value,
            threshold: rules.psi.alert,
            summary: `psi of ${feature} is ${result.value}, above ${rules.psi.alert} for ${batch.model}@${batch.version}`,
          });
        }
      } catch (error) {
        // The same window measured under another policy (a replay after a change): kept as recorded.
        if (error instanceof StateConflict && error.code === 'signal-already-recorded') {
          figures.push({ feature, value: result.value, recorded: false, breached: false });
          continue;
        }
        throw error;
      }
    }
    await this.breaches.respond(breaches, rules, context);
    return { batchId, figures, breaches };
  }

  /**
   * The batches pooled with this one under the policy's window, in ledger order up to it: the
   * batch alone, the last n of its deployment and version, or those ending within h hours of it.
   */
  private async windowOf(
    batch: BatchRow,
    window: MonitoringWindow,
  ): Promise<{ batches: BatchRow[]; span: { from: string; to: string } }> {
    let batches = [batch];
    if (window && 'batches' in window && window.batches > 1) {
      batches = (await this.db.query(
        `SELECT * FROM monitoring_batches WHERE deployment_id = $1 AND version = $2 AND seq <= $3
          ORDER BY seq DESC LIMIT $4`,
        [batch.deployment_id, batch.version, batch.seq, window.batches],
      )) as BatchRow[];
    } else if (window && 'hours' in window) {
      batches = (await this.db.query(
        `SELECT * FROM monitoring_batches WHERE deployment_id = $1 AND version = $2 AND seq <= $3
            AND window_to > $4::timestamptz - $5::float8 * interval '1 hour'
          ORDER BY seq DESC`,
        [batch.deployment_id, batch.version, batch.seq, iso(batch.window_to), window.hours],
      )) as BatchRow[];
    }
    const from = batches.map((b) => iso(b.window_from)).sort()[0];
    return { batches, span: { from, to: iso(batch.window_to) } };
  }
}

/** The baseline share of each bin of this distribution, or null when the baseline lacks it. */
function baselineShares(
  evaluation: MonitoringEvaluation,
  feature: string,
  bins: BinnedCounts,
): number[] | null {
  const { distribution } = evaluation;
  if (bins.edges) {
    const deciles = feature === SCORE_FEATURE ? distribution.score : distribution.numeric[feature];
    return deciles ? numericBaselineShares(deciles, bins.edges) : null;
  }
  const frequencies = distribution.categorical[feature];
  return frequencies && bins.categories
    ? categoricalBaselineShares(frequencies, bins.categories)
    : null;
}

function sameBins(a: BinnedCounts, b: BinnedCounts): boolean {
  return JSON.stringify([a.edges, a.categories]) === JSON.stringify([b.edges, b.categories]);
}

/** The error's class and message, for the check's row (messages name no personal data). */
function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}`.slice(0, 500) : 'unknown error';
}

/** The evaluation the batch's bins name, or else the version's latest passing one by Attest. */
function baselineOf(batch: BatchRow, facts: MonitoringModelFacts): MonitoringEvaluation | null {
  const version = facts.versions.get(batch.version);
  const named = batch.bins.baseline.source === 'evaluation' ? batch.bins.baseline.id : null;
  if (named) {
    const evaluation = version?.evaluations.find((e) => e.evaluationId === named);
    if (evaluation) return evaluation;
  }
  return baselineEvaluation(version, batch.environment);
}
