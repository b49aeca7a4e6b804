import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RecordDatasetEvidenceHandler } from './commands/record-dataset-evidence/record-dataset-evidence.handler';
import { RecordDatasetEvidenceHttpController } from './commands/record-dataset-evidence/record-dataset-evidence.http.controller';
import { RegisterDatasetVersionHandler } from './commands/register-dataset-version/register-dataset-version.handler';
import { RegisterDatasetVersionHttpController } from './commands/register-dataset-version/register-dataset-version.http.controller';
import { DatasetVersionRow } from './queries/dataset-versions/dataset-version.read-model';
import { DatasetVersionsProjection } from './queries/dataset-versions/dataset-versions.projection';
import {
  GetDatasetQueryHandler,
  GetDatasetVersionQueryHandler,
  ListDatasetsQueryHandler,
} from './queries/dataset-versions/dataset-versions.query-handler';
import { DatasetsHttpController } from './queries/dataset-versions/datasets.http.controller';

@Module({
  imports: [TypeOrmModule.forFeature([DatasetVersionRow])],
  controllers: [
    RegisterDatasetVersionHttpController,
    RecordDatasetEvidenceHttpController,
    DatasetsHttpController,
  ],
  providers: [
    RegisterDatasetVersionHandler,
    RecordDatasetEvidenceHandler,
    DatasetVersionsProjection,
    ListDatasetsQueryHandler,
    GetDatasetQueryHandler,
    GetDatasetVersionQueryHandler,
  ],
})
export class DatasetsModule {}
