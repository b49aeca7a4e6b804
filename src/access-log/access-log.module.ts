import { Module } from '@nestjs/common';
import { AccessLogHttpController } from './access-log.http.controller';
import { AccessLogProjection } from './access-log.projection';
import { AccessLogRecorder } from './access-log.recorder';
import { PersonalDataAccessInterceptor } from './personal-data-access';

/** Who looked at what: regulator requests and personal data shown, kept in the ledger. */
@Module({
  controllers: [AccessLogHttpController],
  providers: [AccessLogRecorder, AccessLogProjection, PersonalDataAccessInterceptor],
  exports: [AccessLogRecorder, PersonalDataAccessInterceptor],
})
export class AccessLogModule {}
