import { LedgerEvents1764200000000 } from './1764200000000-ledger-events';
import { Projections1764200000001 } from './1764200000001-projections';
import { IdempotencyKeys1764200000002 } from './1764200000002-idempotency-keys';
import { Datasets1764200000003 } from './1764200000003-datasets';
import { TrainingRuns1764200000004 } from './1764200000004-training-runs';
import { ModelRegistry1764200000005 } from './1764200000005-model-registry';
import { Approvals1764200000006 } from './1764200000006-approvals';
import { Deployments1764200000007 } from './1764200000007-deployments';
import { Predictions1764200000008 } from './1764200000008-predictions';
import { Privacy1764200000009 } from './1764200000009-privacy';
import { Lineage1764200000010 } from './1764200000010-lineage';
import { Monitoring1764200000011 } from './1764200000011-monitoring';
import { Compliance1764200000012 } from './1764200000012-compliance';
import { PointInTime1764200000013 } from './1764200000013-point-in-time';
import { AccessLog1764200000014 } from './1764200000014-access-log';
import { OneModelCardHistory1764200000015 } from './1764200000015-one-model-card-history';
import { IntegrityLog1764200000016 } from './1764200000016-integrity-log';
import { AuditPacks1764200000017 } from './1764200000017-audit-packs';
import { ProjectionFaults1764200000018 } from './1764200000018-projection-faults';
import { IdempotencyDigests1764200000019 } from './1764200000019-idempotency-digests';
import { ModelArtifacts1764200000020 } from './1764200000020-model-artifacts';
import { EvaluationRuns1764200000021 } from './1764200000021-evaluation-runs';
import { DatasetDataStatus1764200000022 } from './1764200000022-dataset-data-status';
import { ServiceEvaluations1764200000023 } from './1764200000023-service-evaluations';
import { AutomaticApprovals1764200000024 } from './1764200000024-automatic-approvals';
import { DecisionReceipts1764200000025 } from './1764200000025-decision-receipts';
import { BatchScoring1764200000026 } from './1764200000026-batch-scoring';
import { MonitoringPolicy1764200000027 } from './1764200000027-monitoring-policy';
import { Webhooks1764200000028 } from './1764200000028-webhooks';
import { AuditPacksIssued1764200000029 } from './1764200000029-audit-packs';
import { LineageBatchTallies1764200000030 } from './1764200000030-lineage-batch-tallies';
import { LineageBatchHistory1764200000031 } from './1764200000031-lineage-batch-history';

/** Every migration, in order; listed here so builds and tests load the same set. */
export const migrations = [
  LedgerEvents1764200000000,
  Projections1764200000001,
  IdempotencyKeys1764200000002,
  Datasets1764200000003,
  TrainingRuns1764200000004,
  ModelRegistry1764200000005,
  Approvals1764200000006,
  Deployments1764200000007,
  Predictions1764200000008,
  Privacy1764200000009,
  Lineage1764200000010,
  Monitoring1764200000011,
  Compliance1764200000012,
  PointInTime1764200000013,
  AccessLog1764200000014,
  OneModelCardHistory1764200000015,
  IntegrityLog1764200000016,
  AuditPacks1764200000017,
  ProjectionFaults1764200000018,
  IdempotencyDigests1764200000019,
  ModelArtifacts1764200000020,
  EvaluationRuns1764200000021,
  DatasetDataStatus1764200000022,
  ServiceEvaluations1764200000023,
  AutomaticApprovals1764200000024,
  DecisionReceipts1764200000025,
  BatchScoring1764200000026,
  MonitoringPolicy1764200000027,
  Webhooks1764200000028,
  AuditPacksIssued1764200000029,
  LineageBatchTallies1764200000030,
  LineageBatchHistory1764200000031,
];
