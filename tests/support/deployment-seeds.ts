import { v7 as uuidv7 } from 'uuid';
import type {
  ApprovalEvent,
  ApprovalRequested,
  ModelVersionApproved,
} from '../../src/approvals/approval.events';
import type { EventLog, JsonObject, NewEvent } from '../../src/ledger/event-log.port';
import { streams } from '../../src/ledger/stream-names';
import type { ModelEvent, ModelVersionRegistered } from '../../src/model-registry/model.events';
import { modelArtifactStored } from './seed-events';

const AT = '2026-03-01T00:00:00.000Z';
const DIGEST = `sha256:${'9f'.repeat(32)}`;

type Seeded = ModelEvent | ApprovalEvent;

function envelope(event: Seeded, actor: { sub: string; roles: string[] }): NewEvent {
  const id = uuidv7();
  return {
    id,
    type: event.type,
    data: JSON.parse(JSON.stringify(event.data)) as JsonObject,
    metadata: {
      schemaVersion: 1,
      occurredAt: AT,
      actor,
      correlationId: id,
      causationId: id,
    },
  };
}

/**
 * Model and approval history written straight into the event log, so deployments can be tested
 * whether or not the registry's and approvals' commands exist yet.
 */
export function deploymentSeeds(log: EventLog) {
  const append = (stream: string, events: Seeded[], actor = { sub: 'seed', roles: ['admin'] }) =>
    log.append(
      stream,
      events.map((event) => envelope(event, actor)),
      { expectedRevision: 'any' },
    );

  return {
    async registerModelVersion(
      model: string,
      version: string,
      overrides: Partial<ModelVersionRegistered['data']> = {},
      options: { artifactStored?: boolean } = {},
    ): Promise<void> {
      const registered: ModelVersionRegistered = {
        type: 'ModelVersionRegistered',
        data: {
          model,
          version,
          runId: uuidv7(),
          trainedBy: 'tess',
          datasetVersions: [{ name: 'loan-applications', version: '2026-02', contentHash: DIGEST }],
          artifactDigest: DIGEST,
          riskTier: 'high',
          decisionClass: 'substantially-assists',
          personalInformationKinds: ['financial'],
          decisions: 'approve or refer a consumer credit application',
          intendedUse: 'consumer credit pre-assessment',
          limitations: ['not for business lending'],
          owner: 'head-of-credit-risk',
          vendor: null,
          registeredBy: 'dana',
          registeredAt: AT,
          ...overrides,
        },
      };
      // Stored with it unless told: a version whose artifact was never stored cannot be deployed.
      const stored = modelArtifactStored({
        model,
        version,
        digest: registered.data.artifactDigest,
        storedBy: 'dana',
        storedAt: AT,
      });
      await append(
        streams.model(model),
        options.artifactStored === false ? [registered] : [registered, stored],
        { sub: 'dana', roles: ['data-scientist'] },
      );
    },

    async retireModelVersion(model: string, version: string): Promise<void> {
      await append(streams.model(model), [
        {
          type: 'ModelVersionRetired',
          data: { model, version, reason: 'superseded', retiredBy: 'dana', retiredAt: AT },
        },
      ]);
    },

    /** An approval stream ending as `outcome`; returns its id. */
    async approval(
      target: { model: string; version: string; environment: string },
      outcome: 'approved' | 'pending' | 'rejected' | 'withdrawn' = 'approved',
    ): Promise<string> {
      const approvalId = uuidv7();
      const requested: ApprovalRequested = {
        type: 'ApprovalRequested',
        data: {
          approvalId,
          ...target,
          riskTier: 'high',
          stages: [
            { stage: 1, role: 'risk-manager' },
            { stage: 2, role: 'compliance-officer' },
          ],
          requirePassingEvaluation: true,
          evidence: {
            artifactDigest: DIGEST,
            datasetContentHashes: [DIGEST],
            evaluationEventHashes: [],
          },
          evidenceDigest: DIGEST,
          registeredBy: 'dana',
          trainedBy: 'tess',
          requestedBy: 'dana',
          requestedAt: AT,
          comment: null,
        },
      };
      const granted = (stage: number, role: 'risk-manager' | 'compliance-officer', sub: string) =>
        ({
          type: 'ApprovalStageGranted',
          data: { approvalId, stage, role, grantedBy: sub, grantedAt: AT, comment: null },
        }) as const;
      const approved: ModelVersionApproved = {
        type: 'ModelVersionApproved',
        data: {
          approvalId,
          ...target,
          evidenceDigest: DIGEST,
          approvers: [
            { stage: 1, role: 'risk-manager', sub: 'rob', at: AT },
            { stage: 2, role: 'compliance-officer', sub: 'cora', at: AT },
          ],
          approvedAt: AT,
        },
      };
      const history: Record<typeof outcome, ApprovalEvent[]> = {
        pending: [requested],
        approved: [
          requested,
          granted(1, 'risk-manager', 'rob'),
          granted(2, 'compliance-officer', 'cora'),
          approved,
        ],
        rejected: [
          requested,
          {
            type: 'ApprovalRejected',
            data: {
              approvalId,
              stage: 1,
              role: 'risk-manager',
              rejectedBy: 'rob',
              rejectedAt: AT,
              comment: 'fairness gap',
            },
          },
        ],
        withdrawn: [
          requested,
          {
            type: 'ApprovalWithdrawn',
            data: { approvalId, withdrawnBy: 'dana', withdrawnAt: AT, reason: null },
          },
        ],
      };
      await append(streams.approval(approvalId), history[outcome]);
      return approvalId;
    },
  };
}
