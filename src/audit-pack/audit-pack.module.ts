import { Module } from '@nestjs/common';
import { ApprovalsReader } from '../approvals/queries/approvals/approvals.reader';
import { DeploymentHistoryReader } from '../deployments/queries/deployments/deployment-history.reader';
import { IntegrityModule } from '../integrity/integrity.module';
import { AlertsReader } from '../monitoring/queries/alerts/alerts.reader';
import { PredictionsReader } from '../predictions/queries/prediction-batches/predictions.reader';
import { DeletionRequestsReader } from '../privacy/queries/deletion-requests/deletion-requests.reader';
import { AuditPackContentReader } from './audit-pack.content';
import { AuditPackHttpController } from './audit-pack.http.controller';
import { AuditPackService } from './audit-pack.service';
import { AuditPacksProjection } from './audit-packs.projection';
import { IssuedAuditPacksHttpController } from './issued-audit-packs.http.controller';

/**
 * Signed PDF audit packs of model versions, with their evidence (README, "Audit packs"); each
 * pack handed out is recorded as AuditPackIssued and listed from the audit_packs projection.
 */
@Module({
  imports: [IntegrityModule],
  controllers: [AuditPackHttpController, IssuedAuditPacksHttpController],
  providers: [
    AuditPackContentReader,
    AuditPackService,
    AuditPacksProjection,
    // The owners' read interfaces (stateless, over the shared DataSource): the pack reads other
    // capabilities' tables through them, never by SQL of its own (docs/architecture.md).
    ApprovalsReader,
    DeploymentHistoryReader,
    PredictionsReader,
    AlertsReader,
    DeletionRequestsReader,
  ],
  exports: [AuditPackService],
})
export class AuditPackModule {}
