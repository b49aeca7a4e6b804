import { Module } from '@nestjs/common';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { OpenInferenceHttpController } from './open-inference.http.controller';
import { PredictHttpController } from './predict.http.controller';
import { PredictionService } from './prediction-service';
import { ServingResolver, ServingScorer } from './serving-api';
import { ServingPool } from './serving-pool';
import { LedgerServingResolver } from './serving-resolver';

/** Serving (README, "Serving"): deployments answer predictions from the stored artifact, in worker threads. */
@Module({
  imports: [ArtifactsModule],
  controllers: [PredictHttpController, OpenInferenceHttpController],
  providers: [
    LedgerServingResolver,
    { provide: ServingResolver, useExisting: LedgerServingResolver },
    ServingPool,
    { provide: ServingScorer, useExisting: ServingPool },
    PredictionService,
  ],
  exports: [ServingResolver, ServingScorer, PredictionService],
})
export class ServingModule {}
