import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { SERVER_PEPPER } from '../config/config.module';
import type { SubjectPepper } from '../config/subject-pepper';
import { AssessDeletionHandler } from './commands/assess-deletion/assess-deletion.handler';
import { AssessDeletionHttpController } from './commands/assess-deletion/assess-deletion.http.controller';
import { FulfilDeletionHandler } from './commands/fulfil-deletion/fulfil-deletion.handler';
import { FulfilDeletionHttpController } from './commands/fulfil-deletion/fulfil-deletion.http.controller';
import { RequestDeletionHandler } from './commands/request-deletion/request-deletion.handler';
import { RequestDeletionHttpController } from './commands/request-deletion/request-deletion.http.controller';
import { DeletionRequestProjection } from './queries/deletion-requests/deletion-request.projection';
import { DeletionRequestRow } from './queries/deletion-requests/deletion-request.read-model';
import {
  GetDeletionRequestQueryHandler,
  ListDeletionRequestsQueryHandler,
} from './queries/deletion-requests/deletion-requests.query-handler';
import { DeletionRequestsHttpController } from './queries/deletion-requests/deletion-requests.http.controller';
import { SubjectHasher } from './subject-hasher';

const subjectHasher = {
  provide: SubjectHasher,
  inject: [SERVER_PEPPER],
  useFactory: (pepper: SubjectPepper): SubjectHasher => new SubjectHasher(pepper.secret),
};

@Module({
  imports: [TypeOrmModule.forFeature([DeletionRequestRow])],
  controllers: [
    RequestDeletionHttpController,
    AssessDeletionHttpController,
    FulfilDeletionHttpController,
    DeletionRequestsHttpController,
  ],
  providers: [
    subjectHasher,
    RequestDeletionHandler,
    AssessDeletionHandler,
    FulfilDeletionHandler,
    DeletionRequestProjection,
    ListDeletionRequestsQueryHandler,
    GetDeletionRequestQueryHandler,
  ],
  exports: [SubjectHasher],
})
export class PrivacyModule {}
