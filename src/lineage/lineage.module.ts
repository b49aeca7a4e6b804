import { Module } from '@nestjs/common';
import { LineageHttpController } from './queries/lineage/lineage.http.controller';
import { LineageProjection } from './queries/lineage/lineage.projection';
import { GetLineageQueryHandler } from './queries/lineage/lineage.query-handler';

@Module({
  controllers: [LineageHttpController],
  providers: [LineageProjection, GetLineageQueryHandler],
})
export class LineageModule {}
