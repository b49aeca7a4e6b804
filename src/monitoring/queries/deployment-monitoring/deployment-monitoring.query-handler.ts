import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import {
  type DeploymentHistoryEntry,
  DeploymentHistoryReader,
} from '../../../deployments/queries/deployments/deployment-history.reader';
import { DeploymentsReader } from '../../../deployments/queries/deployments/deployments.reader';
import { CLOCK, type Clock } from '../../../ledger/clock';
import {
  type BucketBatchSums,
  type BucketGroundTruth,
  PredictionsReader,
} from '../../../predictions/queries/prediction-batches/predictions.reader';
import { NotRecorded } from '../../../ledger/commands/rule-errors';
import { InvalidRequest } from '../../../ledger/ledger.errors';
import type { Bucket, DeploymentMonitoringRequest } from './deployment-monitoring.request.dto';
import type {
  DeploymentMonitoringView,
  MonitoringFigures,
  TimelineEntry,
  TimelineType,
} from './deployment-monitoring.view';

const BUCKET_MS: Record<Bucket, number> = { hour: 3_600_000, day: 86_400_000 };
/** Buckets shown when `from` is not given. */
const DEFAULT_BUCKETS: Record<Bucket, number> = { hour: 48, day: 30 };
const MAX_BUCKETS = 1000;

export class GetDeploymentMonitoringQuery extends Query<DeploymentMonitoringView> {
  constructor(
    readonly deploymentId: string,
    readonly request: DeploymentMonitoringRequest,
  ) {
    super();
  }
}

type Range = { from: number; to: number; size: number; bucket: Bucket };

type BatchSums = BucketBatchSums;

type TruthRow = BucketGroundTruth;

/** Adds up the batches and ground truth of one bucket (or of the whole range). */
class Tally {
  private batches = 0;
  private volume = 0;
  private automated = 0;
  private referred = 0;
  private p50Weighted = 0;
  private p95Weighted = 0;
  private p99: number | null = null;
  private readonly byVersion = new Map<string, number>();
  private readonly outputs = new Map<string, number>();
  private readonly truth: { id: string; count: number; metrics: Record<string, number> }[] = [];

  addBatches(row: BatchSums): void {
    const volume = Number(row.volume);
    this.batches += row.batches;
    this.volume += volume;
    this.automated += Number(row.automated);
    this.referred += Number(row.referred);
    this.p50Weighted += row.p50_weighted;
    this.p95Weighted += row.p95_weighted;
    this.p99 = Math.max(this.p99 ?? row.p99, row.p99);
    this.byVersion.set(row.version, (this.byVersion.get(row.version) ?? 0) + volume);
  }

  addOutput(output: string, count: number): void {
    this.outputs.set(output, (this.outputs.get(output) ?? 0) + count);
  }

  addTruth(row: TruthRow): void {
    this.truth.push({ id: row.ground_truth_id, count: Number(row.count), metrics: row.metrics });
  }

  figures(): MonitoringFigures {
    const { volume } = this;
    return {
      volume,
      batches: this.batches,
      volumeByVersion: sorted(this.byVersion),
      decisions: {
        automated: this.automated,
        referred: this.referred,
        automatedShare: volume > 0 ? this.automated / volume : null,
        referredShare: volume > 0 ? this.referred / volume : null,
      },
      outputDistribution: sorted(this.outputs),
      latencyMs:
        volume > 0 && this.p99 !== null
          ? {
              p50: round(this.p50Weighted / volume, 3),
              p95: round(this.p95Weighted / volume, 3),
              p99: this.p99,
            }
          : null,
      groundTruth: this.truth.length > 0 ? this.groundTruth() : null,
    };
  }

  private groundTruth(): NonNullable<MonitoringFigures['groundTruth']> {
    const weighted = new Map<string, { sum: number; count: number }>();
    for (const record of this.truth) {
      for (const [metric, value] of Object.entries(record.metrics)) {
        const entry = weighted.get(metric) ?? { sum: 0, count: 0 };
        weighted.set(metric, {
          sum: entry.sum + value * record.count,
          count: entry.count + record.count,
        });
      }
    }
    const metrics = new Map(
      [...weighted].map(([metric, { sum, count }]) => [metric, round(sum / count, 6)] as const),
    );
    return {
      records: this.truth.length,
      labelled: this.truth.reduce((total, record) => total + record.count, 0),
      metrics: sorted(metrics),
      groundTruthIds: this.truth.map((record) => record.id),
    };
  }
}

/**
 * The monitoring view of one deployment: prediction batches, ground truth, deployment history,
 * signals and alerts over a range, cut into UTC hour or day buckets. Computed from the read
 * models at query time, placed by the business time each fact carries (a batch's window start,
 * an event's occurredAt), never by when it was projected.
 */
@QueryHandler(GetDeploymentMonitoringQuery)
export class GetDeploymentMonitoringQueryHandler implements IQueryHandler<
  GetDeploymentMonitoringQuery,
  DeploymentMonitoringView
> {
  constructor(
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
    private readonly deployments: DeploymentsReader,
    private readonly deploymentHistory: DeploymentHistoryReader,
    private readonly predictions: PredictionsReader,
  ) {}

  async execute({
    deploymentId,
    request,
  }: GetDeploymentMonitoringQuery): Promise<DeploymentMonitoringView> {
    const deployment = await this.deployments.current(deploymentId);
    if (!deployment) throw new NotRecorded('deployment', deploymentId);
    const range = this.rangeOf(request);
    const count = (range.to - range.from) / range.size;
    const buckets = Array.from({ length: count }, () => new Tally());
    const totals = new Tally();
    const window = {
      deploymentId,
      from: iso(range.from),
      to: iso(range.to),
      bucketSeconds: range.size / 1000,
    };
    const batches = await this.predictions.bucketBatchSums(window);
    for (const row of batches) {
      buckets[row.bucket].addBatches(row);
      totals.addBatches(row);
    }

    const outputs = await this.predictions.bucketOutputs(window);
    for (const row of outputs) {
      buckets[row.bucket].addOutput(row.output, Number(row.n));
      totals.addOutput(row.output, Number(row.n));
    }

    const truth = await this.predictions.bucketGroundTruth(window);
    for (const row of truth) {
      buckets[row.bucket].addTruth(row);
      totals.addTruth(row);
    }

    return {
      deploymentId,
      model: deployment.model,
      environment: deployment.environment,
      status: deployment.status,
      version: deployment.version,
      canaryVersion: deployment.canaryVersion,
      bucket: range.bucket,
      from: iso(range.from),
      to: iso(range.to),
      totals: totals.figures(),
      buckets: buckets.map((tally, index) => ({
        start: iso(range.from + index * range.size),
        end: iso(range.from + (index + 1) * range.size),
        ...tally.figures(),
      })),
      timeline: await this.timeline(deploymentId, range),
    };
  }

  /** Whole buckets covering the range asked for; the default ends with the current bucket. */
  private rangeOf(request: DeploymentMonitoringRequest): Range {
    const bucket = request.bucket ?? 'day';
    const size = BUCKET_MS[bucket];
    const to = request.to
      ? Math.ceil(Date.parse(request.to) / size) * size
      : (Math.floor(this.clock().getTime() / size) + 1) * size;
    const from = request.from
      ? Math.floor(Date.parse(request.from) / size) * size
      : to - DEFAULT_BUCKETS[bucket] * size;
    if (from >= to) {
      throw new InvalidRequest('invalid to', { to: ['must be after from'] });
    }
    if ((to - from) / size > MAX_BUCKETS) {
      throw new InvalidRequest('invalid from', {
        from: [`the range may hold at most ${MAX_BUCKETS} ${bucket} buckets`],
      });
    }
    return { from, to, size, bucket };
  }

  private async timeline(deploymentId: string, range: Range): Promise<TimelineEntry[]> {
    const params = [deploymentId, iso(range.from), iso(range.to)];
    const history = (await this.deploymentHistory.inWindow(
      deploymentId,
      params[1],
      params[2],
    )) as (DeploymentHistoryEntry & { event_type: TimelineType })[];
    const signals = (await this.db.query(
      `SELECT signal_id, kind, version, feature, metric, value, threshold, breached, window_from,
         window_to, detected_by, detected_at, event_id
       FROM monitoring_signals WHERE deployment_id = $1 AND detected_at >= $2 AND detected_at < $3`,
      params,
    )) as {
      signal_id: string;
      kind: 'drift' | 'performance';
      version: string;
      feature: string | null;
      metric: string;
      value: number;
      threshold: number;
      breached: boolean;
      window_from: Date;
      window_to: Date;
      detected_by: string;
      detected_at: Date;
      event_id: string;
    }[];
    const alerts = (await this.db.query(
      `SELECT alert_id, severity, kind, summary, raised_by, raised_at, raised_event_id, resolution,
         resolved_by, resolved_at, resolved_event_id
       FROM alerts
       WHERE deployment_id = $1
         AND ((raised_at >= $2 AND raised_at < $3) OR (resolved_at >= $2 AND resolved_at < $3))`,
      params,
    )) as {
      alert_id: string;
      severity: string;
      kind: string;
      summary: string;
      raised_by: string;
      raised_at: Date;
      raised_event_id: string;
      resolution: string | null;
      resolved_by: string | null;
      resolved_at: Date | null;
      resolved_event_id: string | null;
    }[];

    const blank = {
      version: null,
      toVersion: null,
      automatic: null,
      alertId: null,
      severity: null,
      kind: null,
      signal: null,
    };
    const entries: (TimelineEntry & { rank: number })[] = [];
    for (const row of history) {
      entries.push({
        ...blank,
        rank: 0,
        at: row.at.toISOString(),
        type: row.event_type,
        eventId: row.event_id,
        actor: row.actor,
        summary: historySummary(row),
        version: row.version,
        ...(row.event_type === 'DeploymentRolledBack'
          ? { toVersion: row.to_version, automatic: row.automatic }
          : {}),
      });
    }
    for (const row of signals) {
      const subject = row.feature === null ? row.metric : `${row.metric} of ${row.feature}`;
      entries.push({
        ...blank,
        rank: 1,
        at: row.detected_at.toISOString(),
        type: row.kind === 'drift' ? 'DriftDetected' : 'PerformanceDegraded',
        eventId: row.event_id,
        actor: row.detected_by,
        summary: `${subject} is ${row.value} against the threshold ${row.threshold}${row.breached ? ': breached' : ''}`,
        version: row.version,
        signal: {
          signalId: row.signal_id,
          feature: row.feature,
          metric: row.metric,
          value: row.value,
          threshold: row.threshold,
          breached: row.breached,
          windowFrom: row.window_from.toISOString(),
          windowTo: row.window_to.toISOString(),
        },
      });
    }
    for (const row of alerts) {
      const alert = { alertId: row.alert_id, severity: row.severity, kind: row.kind };
      const raisedAt = row.raised_at.getTime();
      if (raisedAt >= range.from && raisedAt < range.to) {
        entries.push({
          ...blank,
          ...alert,
          rank: 2,
          at: row.raised_at.toISOString(),
          type: 'AlertRaised',
          eventId: row.raised_event_id,
          actor: row.raised_by,
          summary: row.summary,
        });
      }
      const resolvedAt = row.resolved_at?.getTime();
      if (
        row.resolved_at &&
        row.resolved_event_id &&
        resolvedAt !== undefined &&
        resolvedAt >= range.from &&
        resolvedAt < range.to
      ) {
        entries.push({
          ...blank,
          ...alert,
          rank: 3,
          at: row.resolved_at.toISOString(),
          type: 'AlertResolved',
          eventId: row.resolved_event_id,
          actor: row.resolved_by ?? '',
          summary: `resolved: ${row.resolution ?? ''}`,
        });
      }
    }
    // Same instant (a signal and the alert it raised): deployment, signal, raise, resolution.
    entries.sort(
      (a, b) => a.at.localeCompare(b.at) || a.rank - b.rank || a.eventId.localeCompare(b.eventId),
    );
    return entries.map(({ rank: _rank, ...entry }) => entry);
  }
}

function historySummary(row: {
  event_type: TimelineType;
  version: string | null;
  from_version: string | null;
  to_version: string | null;
  strategy: string | null;
  canary_percent: number | null;
  reason: string | null;
  automatic: boolean | null;
}): string {
  switch (row.event_type) {
    case 'ModelDeployed':
      return row.strategy === 'canary'
        ? `deployed ${row.version} as a ${row.canary_percent}% canary`
        : `deployed ${row.version}`;
    case 'DeploymentPromoted':
      return `promoted ${row.version} to all traffic`;
    case 'DeploymentRolledBack':
      return `rolled back ${row.from_version} to ${row.to_version ?? 'nothing'}${row.automatic ? ' automatically' : ''}: ${row.reason}`;
    case 'DeploymentRetired':
      return `retired ${row.version}: ${row.reason}`;
    default:
      return row.event_type;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function round(value: number, digits: number): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function sorted(map: ReadonlyMap<string, number>): Record<string, number> {
  return Object.fromEntries([...map].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
