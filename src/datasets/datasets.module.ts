import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RegisterDatasetVersionHandler } from './commands/register-dataset-version/register-dataset-version.handler';
import { RegisterDatasetVersionHttpController } from './commands/register-dataset-version/register-dataset-version.http.controller';

@Module({
  imports: [TypeOrmModule.forFeature([])],
  controllers: [RegisterDatasetVersionHttpController],
  providers: [RegisterDatasetVersionHandler],
})
export class DatasetsModule {}
