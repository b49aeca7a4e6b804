import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { StreamIndexEntry } from '../ledger/stream-index/stream-index.read-model';
import { LedgerEventsHttpController } from './ledger-events/ledger-events.http.controller';
import { ListLedgerEventsQueryHandler } from './ledger-events/list-ledger-events.query-handler';
import { StreamIndexHttpController } from './stream-index/stream-index.http.controller';
import {
  GetStreamQueryHandler,
  ListStreamsQueryHandler,
} from './stream-index/stream-index.query-handler';
import { VerifyLedgerHttpController } from './verify-ledger/verify-ledger.http.controller';
import { VerifyLedgerQueryHandler } from './verify-ledger/verify-ledger.query-handler';

/**
 * The ledger's own endpoints: its events in ledger order, the stream index, and the verification
 * of every hash chain with the integrity tree. They live outside src/ledger because they use
 * access rules (auth) and the integrity tree, which the ledger core must not import
 * (docs/architecture.md, "Boundaries").
 */
@Module({
  imports: [TypeOrmModule.forFeature([StreamIndexEntry])],
  controllers: [LedgerEventsHttpController, VerifyLedgerHttpController, StreamIndexHttpController],
  providers: [
    ListLedgerEventsQueryHandler,
    VerifyLedgerQueryHandler,
    ListStreamsQueryHandler,
    GetStreamQueryHandler,
  ],
})
export class LedgerApiModule {}
