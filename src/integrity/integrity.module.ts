import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { START_PROJECTIONS } from '../ledger/ledger.module';
import { AUTO_CHECKPOINTS, CheckpointSigner, SIGNING_KEY } from './checkpoint-signer';
import { CheckpointsProjection } from './checkpoints.projection';
import { EvidenceBuilder } from './evidence-builder';
import { IntegrityHttpController } from './integrity.http.controller';
import { IntegrityLogProjection } from './integrity-log.projection';
import { JwksHttpController } from './jwks.http.controller';
import { SearchLedgerQueryHandler } from './ledger-search.query';
import { PdfSigner } from './pdf-signer';
import { VerifierHttpController } from './verifier.http.controller';
import { openSigningKey } from './signing-key';

/** The Merkle integrity log, its signed checkpoints, proofs and public keys (docs/design.md §5). */
@Module({
  controllers: [IntegrityHttpController, JwksHttpController, VerifierHttpController],
  providers: [
    {
      provide: SIGNING_KEY,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) =>
        openSigningKey({
          signingKeyFile: config.integrity.signingKeyFile,
          dataDir: config.dataDir,
        }),
    },
    {
      provide: AUTO_CHECKPOINTS,
      inject: [START_PROJECTIONS],
      useFactory: (start: boolean) => start,
    },
    CheckpointSigner,
    EvidenceBuilder,
    PdfSigner,
    IntegrityLogProjection,
    CheckpointsProjection,
    SearchLedgerQueryHandler,
  ],
  exports: [CheckpointSigner, EvidenceBuilder, PdfSigner, SIGNING_KEY],
})
export class IntegrityModule {}
