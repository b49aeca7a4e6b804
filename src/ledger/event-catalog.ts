/**
 * Every event type the ledger records (docs/design.md §6), by capability. Reports map obligations to
 * these names; a mapping naming anything else is refused, so it cannot cite evidence that
 * never exists. A test keeps this list equal to the types the code declares.
 */
export const EVENT_CATALOG = {
  datasets: [
    'DatasetVersionRegistered',
    'DatasetValidated',
    'DatasetProfiled',
    'DatasetVersionRetired',
    'DatasetDataStored',
    'DatasetDataPurged',
  ],
  trainingRuns: ['TrainingRunStarted', 'TrainingRunCompleted', 'TrainingRunFailed'],
  modelRegistry: [
    'ModelVersionRegistered',
    'ModelCardUpdated',
    'ModelEvaluated',
    'ModelVersionApproved',
    'ModelVersionRetired',
    'ModelArtifactStored',
  ],
  approvals: [
    'PolicySet',
    'ApprovalRequested',
    'ApprovalStageGranted',
    'ApprovalRejected',
    'ApprovalWithdrawn',
  ],
  evaluation: ['EvaluationPolicySet'],
  deployments: ['ModelDeployed', 'DeploymentPromoted', 'DeploymentRolledBack', 'DeploymentRetired'],
  predictions: ['PredictionBatchRecorded', 'GroundTruthRecorded'],
  monitoring: [
    'DriftDetected',
    'PerformanceDegraded',
    'AlertRaised',
    'AlertResolved',
    'MonitoringPolicySet',
  ],
  retraining: ['RetrainingTriggered'],
  privacy: ['DeletionRequested', 'DeletionAssessed', 'DeletionFulfilled'],
  accessLog: ['RegulatorAccessed', 'PersonalDataAccessed'],
  integrity: ['LedgerCheckpointSigned', 'LedgerSigningKeyActivated'],
  auditPack: ['AuditPackIssued'],
} as const;

export type EventType = (typeof EVENT_CATALOG)[keyof typeof EVENT_CATALOG][number];

export const EVENT_TYPES: ReadonlySet<string> = new Set(Object.values(EVENT_CATALOG).flat());
