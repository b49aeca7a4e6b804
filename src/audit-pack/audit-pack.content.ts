import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import type { DatasetVersionRow } from '../datasets/queries/dataset-versions/dataset-version.read-model';
import { GetDatasetVersionQuery } from '../datasets/queries/dataset-versions/dataset-versions.query-handler';
import { DeploymentHistoryRow } from '../deployments/queries/deployments/deployment.read-model';
import { streams } from '../ledger/stream-names';
import type { ModelVersionView } from '../model-registry/queries/model-registry/model.view';
import { GetModelVersionQuery } from '../model-registry/queries/model-registry/model-registry.query-handler';
import type { TrainingRunView } from '../training-runs/queries/training-runs/training-run.view';
import { GetTrainingRunQuery } from '../training-runs/queries/training-runs/training-runs.query-handler';

export interface ApprovalStage {
  stage: number;
  role: string;
  status: string;
  by: string | null;
  at: string | null;
  comment: string | null;
}

export interface PackApproval {
  id: string;
  environment: string;
  status: string;
  requestedBy: string;
  requestedAt: string;
  evidenceDigest: string;
  stages: ApprovalStage[];
  /** Approved with no stage: a low-risk tier, by a passing service-run evaluation. */
  automatic: boolean;
  /** The passing service-run evaluation the request relied on, if the policy required one. */
  passingEvaluationId: string | null;
  decidedAt: string | null;
}

export interface PackDeploymentChange {
  deploymentId: string;
  eventType: string;
  version: string | null;
  fromVersion: string | null;
  toVersion: string | null;
  strategy: string | null;
  canaryPercent: number | null;
  reason: string | null;
  automatic: boolean | null;
  actor: string;
  at: string;
}

export interface DailyVolume {
  day: string;
  predictions: number;
  automated: number;
  referred: number;
  outputs: Record<string, number>;
}

export interface GroundTruthPoint {
  at: string;
  metrics: Record<string, number>;
}

export interface PackAlert {
  deploymentId: string;
  severity: string;
  kind: string;
  summary: string;
  status: string;
  raisedAt: string;
  resolvedAt: string | null;
}

export interface PackDeletionRequest {
  id: string;
  status: string;
  receivedOn: string;
  dueOn: string;
  fulfilledAt: string | null;
}

/** Everything an audit pack shows about one model version, from the read models. */
export interface AuditPackContent {
  version: ModelVersionView;
  run: TrainingRunView;
  datasets: DatasetVersionRow[];
  approvals: PackApproval[];
  deploymentChanges: PackDeploymentChange[];
  volume: DailyVolume[];
  groundTruth: GroundTruthPoint[];
  alerts: PackAlert[];
  deletionRequests: PackDeletionRequest[];
  /** The streams whose events the pack cites, and which of the shared ones concern this version. */
  citedStreams: string[];
  versionScopedStreams: string[];
}

@Injectable()
export class AuditPackContentReader {
  constructor(
    private readonly queries: QueryBus,
    private readonly db: DataSource,
  ) {}

  /** A model version that was never registered is NotRecorded (404), never an empty pack. */
  async read(name: string, version: string): Promise<AuditPackContent> {
    const model: ModelVersionView = await this.queries.execute(
      new GetModelVersionQuery(name, version),
    );
    const run: TrainingRunView = await this.queries.execute(new GetTrainingRunQuery(model.runId));
    const evaluated = model.evaluations.map((e) => e.datasetVersion);
    const datasetRefs = uniqueBy(
      [...model.datasetVersions, ...evaluated],
      (d) => `${d.name}@${d.version}`,
    );
    const datasets: DatasetVersionRow[] = await Promise.all(
      datasetRefs.map((d) => this.queries.execute(new GetDatasetVersionQuery(d.name, d.version))),
    );
    const [approvals, deploymentChanges, volume, groundTruth, deletionRequests] = await Promise.all(
      [
        this.approvals(name, version),
        this.deploymentChanges(name, version),
        this.volume(name, version),
        this.groundTruth(name, version),
        this.deletionRequests(name, version),
      ],
    );
    const deployments = [...new Set(deploymentChanges.map((c) => c.deploymentId))];
    const alerts = await this.alerts(deployments);
    const [batchIds, truthIds] = await Promise.all([
      this.ids('SELECT batch_id AS id FROM prediction_batches WHERE model = $1 AND version = $2', [
        name,
        version,
      ]),
      this.ids('SELECT ground_truth_id AS id FROM ground_truth WHERE model = $1 AND version = $2', [
        name,
        version,
      ]),
    ]);
    const versionScopedStreams = [
      streams.model(name),
      ...new Set(datasets.map((d) => streams.dataset(d.name))),
    ];
    const citedStreams = [
      ...versionScopedStreams,
      streams.trainingRun(model.runId),
      ...approvals.map((a) => streams.approval(a.id)),
      ...deployments.map((d) => streams.deployment(d)),
      ...deployments.map((d) => streams.monitoringSignals(d)),
      ...alerts.map((a) => streams.alert(a.id)),
      ...batchIds.map((id) => streams.predictionBatch(id)),
      ...truthIds.map((id) => streams.groundTruth(id)),
      ...deletionRequests.map((r) => streams.deletionRequest(r.id)),
    ];
    return {
      version: model,
      run,
      datasets,
      approvals,
      deploymentChanges,
      volume,
      groundTruth,
      alerts: alerts.map(({ id: _id, ...alert }) => alert),
      deletionRequests,
      citedStreams,
      versionScopedStreams,
    };
  }

  private async ids(sql: string, parameters: unknown[]): Promise<string[]> {
    return ((await this.db.query(sql, parameters)) as { id: string }[]).map((row) => row.id);
  }

  private async approvals(name: string, version: string): Promise<PackApproval[]> {
    const rows = (await this.db.query(
      `SELECT id, environment, status, requested_by, requested_at, evidence_digest, stages,
              automatic, passing_evaluation_id, decided_at
       FROM approvals WHERE model = $1 AND version = $2 ORDER BY requested_at, id`,
      [name, version],
    )) as {
      id: string;
      environment: string;
      status: string;
      requested_by: string;
      requested_at: Date;
      evidence_digest: string;
      stages: ApprovalStage[];
      automatic: boolean;
      passing_evaluation_id: string | null;
      decided_at: Date | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      environment: row.environment,
      status: row.status,
      requestedBy: row.requested_by,
      requestedAt: row.requested_at.toISOString(),
      evidenceDigest: row.evidence_digest,
      stages: row.stages.map((s, i) => ({
        stage: s.stage ?? i,
        role: s.role,
        status: s.status,
        by: s.by ?? null,
        at: s.at ?? null,
        comment: s.comment ?? null,
      })),
      automatic: row.automatic,
      passingEvaluationId: row.passing_evaluation_id,
      decidedAt: row.decided_at ? row.decided_at.toISOString() : null,
    }));
  }

  /** Every change to a deployment this version ever served in. */
  private async deploymentChanges(name: string, version: string): Promise<PackDeploymentChange[]> {
    const rows = await this.db
      .getRepository(DeploymentHistoryRow)
      .createQueryBuilder('h')
      .where(
        `h.deployment_id IN (SELECT deployment_id FROM deployment_history
           WHERE deployment_id LIKE :prefix AND :version IN (version, from_version, to_version))`,
        { prefix: `${name}.%`, version },
      )
      .orderBy('h.at')
      .addOrderBy('h.deploymentId')
      .addOrderBy('h.revision')
      .getMany();
    return rows.map((row) => ({
      deploymentId: row.deploymentId,
      eventType: row.eventType,
      version: row.version,
      fromVersion: row.fromVersion,
      toVersion: row.toVersion,
      strategy: row.strategy,
      canaryPercent: row.canaryPercent,
      reason: row.reason,
      automatic: row.automatic,
      actor: row.actor,
      at: row.at.toISOString(),
    }));
  }

  /** Predictions per UTC day of the window's end: volume, decisions and outputs. */
  private async volume(name: string, version: string): Promise<DailyVolume[]> {
    const day = `to_char(window_to AT TIME ZONE 'UTC', 'YYYY-MM-DD')`;
    const [totals, outputs] = await Promise.all([
      this.db.query(
        `SELECT ${day} AS day, sum(count)::bigint AS predictions,
                sum(automated)::bigint AS automated, sum(referred)::bigint AS referred
         FROM prediction_batches WHERE model = $1 AND version = $2 GROUP BY 1 ORDER BY 1`,
        [name, version],
      ) as Promise<{ day: string; predictions: string; automated: string; referred: string }[]>,
      this.db.query(
        `SELECT ${day} AS day, o.key AS output, sum(o.value::numeric) AS n
         FROM prediction_batches, jsonb_each_text(output_distribution) o
         WHERE model = $1 AND version = $2 GROUP BY 1, 2`,
        [name, version],
      ) as Promise<{ day: string; output: string; n: string }[]>,
    ]);
    const byDay = new Map<string, Record<string, number>>();
    for (const row of outputs) {
      byDay.set(row.day, { ...byDay.get(row.day), [row.output]: Number(row.n) });
    }
    return totals.map((row) => ({
      day: row.day,
      predictions: Number(row.predictions),
      automated: Number(row.automated),
      referred: Number(row.referred),
      outputs: byDay.get(row.day) ?? {},
    }));
  }

  private async groundTruth(name: string, version: string): Promise<GroundTruthPoint[]> {
    const rows = (await this.db.query(
      `SELECT window_to, metrics FROM ground_truth WHERE model = $1 AND version = $2
       ORDER BY window_to, ground_truth_id`,
      [name, version],
    )) as { window_to: Date; metrics: Record<string, number> }[];
    return rows.map((row) => ({ at: row.window_to.toISOString(), metrics: row.metrics }));
  }

  private async alerts(deployments: string[]): Promise<(PackAlert & { id: string })[]> {
    if (deployments.length === 0) return [];
    const rows = (await this.db.query(
      `SELECT alert_id, deployment_id, severity, kind, summary, status, raised_at, resolved_at
       FROM alerts WHERE deployment_id = ANY($1) ORDER BY raised_at, alert_id`,
      [deployments],
    )) as {
      alert_id: string;
      deployment_id: string;
      severity: string;
      kind: string;
      summary: string;
      status: string;
      raised_at: Date;
      resolved_at: Date | null;
    }[];
    return rows.map((row) => ({
      id: row.alert_id,
      deploymentId: row.deployment_id,
      severity: row.severity,
      kind: row.kind,
      summary: row.summary,
      status: row.status,
      raisedAt: row.raised_at.toISOString(),
      resolvedAt: row.resolved_at?.toISOString() ?? null,
    }));
  }

  /** Deletion requests whose assessment names this model version. */
  private async deletionRequests(name: string, version: string): Promise<PackDeletionRequest[]> {
    const rows = (await this.db.query(
      // Days as text: pg would make each a Date at local midnight (see pdf-dates.ts).
      `SELECT id, status, received_on::text AS received_on, due_on::text AS due_on, fulfilled_at
       FROM deletion_requests d WHERE affected -> 'models' @> $1::jsonb ORDER BY d.due_on, d.id`,
      [JSON.stringify([{ name, version }])],
    )) as {
      id: string;
      status: string;
      received_on: string;
      due_on: string;
      fulfilled_at: Date | null;
    }[];
    return rows.map((row) => ({
      id: row.id,
      status: row.status,
      receivedOn: row.received_on,
      dueOn: row.due_on,
      fulfilledAt: row.fulfilled_at?.toISOString() ?? null,
    }));
  }
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
