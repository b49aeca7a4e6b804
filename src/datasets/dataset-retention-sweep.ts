import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { v7 as uuidv7 } from 'uuid';
import { ArtifactStorage } from '../artifacts/artifact-storage';
import { CLOCK, type Clock } from '../ledger/clock';
import type { CommandContext } from '../ledger/commands/command-context';
import { StreamWriter } from '../ledger/commands/stream-writer';
import type { Actor } from '../ledger/event-log.port';
import { streams } from '../ledger/stream-names';
import { datasetDecider, retentionExpiry } from './dataset.decider';

/** What one sweep did. */
export type SweepOutcome = {
  /** `<name>@<version>` of each version whose data it purged. */
  purged: string[];
  /** The DatasetDataPurged events it appended. */
  eventIds: string[];
  /** Where the last of them landed; null when it purged nothing. */
  ledgerPosition: string | null;
  sweptAt: string;
};

/** Who deletes data whose retention has passed. */
export const RETENTION_SWEEPER: Actor = { sub: 'attest:retention-sweep', roles: [] };

/**
 * Deletes each stored dataset data file whose version's retention (counted from its
 * registration) has passed, and records DatasetDataPurged (README,
 * `PUT /datasets/{name}/versions/{version}/data`). The file goes first: a sweep that stops
 * between the two deletes nothing twice and records the event on its next run.
 */
@Injectable()
export class DatasetRetentionSweep {
  constructor(
    private readonly writer: StreamWriter,
    private readonly storage: ArtifactStorage,
    private readonly db: DataSource,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** Purges what is due now; answers the `<name>@<version>`s purged. */
  async sweep(): Promise<string[]> {
    return (await this.run()).purged;
  }

  /** Purges what is due now; answers what it purged, its events and where the last landed. */
  async run(): Promise<SweepOutcome> {
    const now = this.clock().toISOString();
    // Candidates from the read model; each is then decided on its own stream.
    const rows: { name: string }[] = await this.db.query(
      `SELECT DISTINCT name FROM dataset_versions WHERE retention IS NOT NULL ORDER BY name`,
    );
    const purged: string[] = [];
    const eventIds: string[] = [];
    let ledgerPosition: string | null = null;
    for (const { name } of rows) {
      const state = await this.writer.state(datasetDecider, streams.dataset(name));
      for (const [version, current] of state.versions) {
        if (!current.data || current.dataPurged) continue;
        const expiredAt = retentionExpiry(current.registeredAt, current.registration.retention);
        if (expiredAt === null || expiredAt > now) continue;
        const digest = current.data.digest;
        if (!(await this.stillHeld(digest, name, version, now))) {
          await this.storage.store.remove(digest.slice('sha256:'.length));
        }
        const id = uuidv7();
        const context: CommandContext = {
          actor: { ...RETENTION_SWEEPER, roles: [...RETENTION_SWEEPER.roles] },
          now,
          correlationId: id,
          commandId: id,
        };
        const outcome = await this.writer.execute(
          streams.dataset(name),
          datasetDecider,
          { type: 'PurgeDatasetData', data: { name, version }, actor: RETENTION_SWEEPER.sub, now },
          context,
        );
        if (outcome.events.length > 0) {
          purged.push(`${name}@${version}`);
          eventIds.push(...outcome.eventIds);
          ledgerPosition = outcome.ledgerPosition;
        }
      }
    }
    return { purged, eventIds, ledgerPosition, sweptAt: now };
  }

  /**
   * Whether the same bytes are still held for something else in the shared store: a model
   * version's artifact, or another dataset version (of any dataset) whose retention has not
   * passed. Kept whenever in doubt: deleting bytes another record needs cannot be undone.
   */
  private async stillHeld(digest: string, name: string, version: string, now: string) {
    const [{ model }]: { model: boolean }[] = await this.db.query(
      'SELECT EXISTS (SELECT 1 FROM model_versions WHERE artifact_digest = $1) AS model',
      [digest],
    );
    if (model) return true;
    const others: { registered_at: Date | string; retention: string | null }[] =
      await this.db.query(
        `SELECT registered_at, retention FROM dataset_versions
          WHERE content_hash = $1 AND NOT (name = $2 AND version = $3)`,
        [digest, name, version],
      );
    return others.some((other) => {
      const due = retentionExpiry(new Date(other.registered_at).toISOString(), other.retention);
      return due === null || due > now;
    });
  }
}
