import { Module } from '@nestjs/common';
import { IntegrityModule } from '../integrity/integrity.module';
import { AuditPackContentReader } from './audit-pack.content';
import { AuditPackHttpController } from './audit-pack.http.controller';
import { AuditPackService } from './audit-pack.service';

/** Signed PDF audit packs of model versions, with their evidence (README: Audit packs; reports/README.md). */
@Module({
  imports: [IntegrityModule],
  controllers: [AuditPackHttpController],
  providers: [AuditPackContentReader, AuditPackService],
  exports: [AuditPackService],
})
export class AuditPackModule {}
