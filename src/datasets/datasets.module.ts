import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ArtifactsModule } from '../artifacts/artifacts.module';
import { RecordDatasetEvidenceHandler } from './commands/record-dataset-evidence/record-dataset-evidence.handler';
import { RecordDatasetEvidenceHttpController } from './commands/record-dataset-evidence/record-dataset-evidence.http.controller';
import { RegisterDatasetVersionHandler } from './commands/register-dataset-version/register-dataset-version.handler';
import { RegisterDatasetVersionHttpController } from './commands/register-dataset-version/register-dataset-version.http.controller';
import { StoreDatasetDataHandler } from './commands/store-dataset-data/store-dataset-data.handler';
import { StoreDatasetDataHttpController } from './commands/store-dataset-data/store-dataset-data.http.controller';
import { SweepRetentionHttpController } from './commands/sweep-retention/sweep-retention.http.controller';
import { DatasetRetentionSchedule } from './dataset-retention-schedule';
import { DatasetRetentionSweep } from './dataset-retention-sweep';
import { DatasetVersionRow } from './queries/dataset-versions/dataset-version.read-model';
import { DatasetVersionsProjection } from './queries/dataset-versions/dataset-versions.projection';
import {
  GetDatasetQueryHandler,
  GetDatasetVersionQueryHandler,
  ListDatasetsQueryHandler,
} from './queries/dataset-versions/dataset-versions.query-handler';
import { DatasetsHttpController } from './queries/dataset-versions/datasets.http.controller';

@Module({
  imports: [TypeOrmModule.forFeature([DatasetVersionRow]), ArtifactsModule],
  controllers: [
    RegisterDatasetVersionHttpController,
    RecordDatasetEvidenceHttpController,
    StoreDatasetDataHttpController,
    SweepRetentionHttpController,
    DatasetsHttpController,
  ],
  providers: [
    RegisterDatasetVersionHandler,
    RecordDatasetEvidenceHandler,
    StoreDatasetDataHandler,
    DatasetRetentionSweep,
    DatasetRetentionSchedule,
    DatasetVersionsProjection,
    ListDatasetsQueryHandler,
    GetDatasetQueryHandler,
    GetDatasetVersionQueryHandler,
  ],
})
export class DatasetsModule {}
