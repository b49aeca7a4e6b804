import { Injectable } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import type { DatasetVersionRow } from '../datasets/queries/dataset-versions/dataset-version.read-model';
import { GetDatasetVersionQuery } from '../datasets/queries/dataset-versions/dataset-versions.query-handler';
import {
  type VersionApproval,
  type VersionApprovalStage,
  ApprovalsReader,
} from '../approvals/queries/approvals/approvals.reader';
import {
  type DeploymentChange,
  DeploymentHistoryReader,
} from '../deployments/queries/deployments/deployment-history.reader';
import { streams } from '../ledger/stream-names';
import type { ModelVersionView } from '../model-registry/queries/model-registry/model.view';
import { GetModelVersionQuery } from '../model-registry/queries/model-registry/model-registry.query-handler';
import { type DeploymentAlert, AlertsReader } from '../monitoring/queries/alerts/alerts.reader';
import {
  type DailyVolume,
  type GroundTruthPoint,
  PredictionsReader,
} from '../predictions/queries/prediction-batches/predictions.reader';
import {
  type DeletionRequestSummary,
  DeletionRequestsReader,
} from '../privacy/queries/deletion-requests/deletion-requests.reader';
import type { TrainingRunView } from '../training-runs/queries/training-runs/training-run.view';
import { GetTrainingRunQuery } from '../training-runs/queries/training-runs/training-runs.query-handler';

export type ApprovalStage = VersionApprovalStage;
export type PackApproval = VersionApproval;
export type PackDeploymentChange = DeploymentChange;
export type { DailyVolume, GroundTruthPoint };
export type PackAlert = Omit<DeploymentAlert, 'id'>;
export type PackDeletionRequest = DeletionRequestSummary;

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
    private readonly approvalsReader: ApprovalsReader,
    private readonly deploymentHistory: DeploymentHistoryReader,
    private readonly predictions: PredictionsReader,
    private readonly alertsReader: AlertsReader,
    private readonly deletions: DeletionRequestsReader,
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
        this.approvalsReader.ofVersion(name, version),
        this.deploymentHistory.changesServing(name, version),
        this.predictions.dailyVolume(name, version),
        this.predictions.groundTruth(name, version),
        this.deletions.namingModelVersion(name, version),
      ],
    );
    const deployments = [...new Set(deploymentChanges.map((c) => c.deploymentId))];
    const alerts = await this.alertsReader.ofDeployments(deployments);
    const [batchIds, truthIds] = await Promise.all([
      this.predictions.batchIds(name, version),
      this.predictions.groundTruthIds(name, version),
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
}

function uniqueBy<T>(items: T[], key: (item: T) => string): T[] {
  const seen = new Map<string, T>();
  for (const item of items) if (!seen.has(key(item))) seen.set(key(item), item);
  return [...seen.values()];
}
