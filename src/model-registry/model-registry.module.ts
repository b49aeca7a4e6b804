import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordModelEvaluationHandler } from './commands/record-model-evaluation/record-model-evaluation.handler';
import { RecordModelEvaluationHttpController } from './commands/record-model-evaluation/record-model-evaluation.http.controller';
import { RegisterModelVersionHandler } from './commands/register-model-version/register-model-version.handler';
import { RegisterModelVersionHttpController } from './commands/register-model-version/register-model-version.http.controller';
import { RetireModelVersionHandler } from './commands/retire-model-version/retire-model-version.handler';
import { RetireModelVersionHttpController } from './commands/retire-model-version/retire-model-version.http.controller';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { StoreModelArtifactHandler } from './commands/store-model-artifact/store-model-artifact.handler';
import { StoreModelArtifactHttpController } from './commands/store-model-artifact/store-model-artifact.http.controller';
import { UpdateModelCardHandler } from './commands/update-model-card/update-model-card.handler';
import { UpdateModelCardHttpController } from './commands/update-model-card/update-model-card.http.controller';
import { ModelCardHistoryProjection } from './queries/model-registry-as-of/model-card-history.projection';
import {
  GetModelAsOfQueryHandler,
  GetModelVersionAsOfQueryHandler,
} from './queries/model-registry-as-of/model-registry-as-of.query-handler';
import { ListModelInventoryQueryHandler } from './queries/model-inventory/model-inventory.query-handler';
import { ModelRegistryProjection } from './queries/model-registry/model-registry.projection';
import {
  GetModelQueryHandler,
  GetModelVersionQueryHandler,
  ListModelsQueryHandler,
} from './queries/model-registry/model-registry.query-handler';
import {
  ModelEvaluationRecord,
  ModelRecord,
  ModelVersionApprovalRecord,
  ModelVersionRecord,
} from './queries/model-registry/model-registry.read-model';
import { ModelsHttpController } from './queries/model-registry/models.http.controller';

@Module({
  imports: [
    TypeOrmModule.forFeature([
      ModelRecord,
      ModelVersionRecord,
      ModelEvaluationRecord,
      ModelVersionApprovalRecord,
    ]),
    ArtifactsModule,
  ],
  controllers: [
    RegisterModelVersionHttpController,
    UpdateModelCardHttpController,
    RecordModelEvaluationHttpController,
    RetireModelVersionHttpController,
    StoreModelArtifactHttpController,
    ModelsHttpController,
  ],
  providers: [
    // commands
    RegisterModelVersionHandler,
    UpdateModelCardHandler,
    RecordModelEvaluationHandler,
    RetireModelVersionHandler,
    StoreModelArtifactHandler,
    // read side
    ModelRegistryProjection,
    ListModelsQueryHandler,
    GetModelQueryHandler,
    GetModelVersionQueryHandler,
    ModelCardHistoryProjection,
    GetModelAsOfQueryHandler,
    GetModelVersionAsOfQueryHandler,
    ListModelInventoryQueryHandler,
  ],
})
export class ModelRegistryModule {}
