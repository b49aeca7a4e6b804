import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import type { Readable } from 'node:stream';
import { RuleViolated } from '../ledger/commands/rule-errors';
import {
  ContentDigestMismatch,
  ContentStore,
  ContentTooLarge,
  type StoredContent,
} from './content-store';

/**
 * The model artifact store under ARTIFACT_DIR; with DATA_DIR=memory:// (and no ARTIFACT_DIR) a
 * temporary directory of this process, removed when the application closes (README
 * "Configuration").
 */
@Injectable()
export class ArtifactStorage implements OnApplicationShutdown {
  readonly store: ContentStore;
  readonly maxBytes: number;
  private readonly temporary: boolean;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.temporary = config.artifacts.dir === undefined;
    this.store = new ContentStore(
      config.artifacts.dir ?? mkdtempSync(join(tmpdir(), 'attest-artifacts-')),
    );
    this.maxBytes = config.artifacts.maxBytes;
  }

  /**
   * Stores bytes that must hash to a digest recorded at registration (`sha256:<hex>`), then hands
   * the stored file to `check`. Too large, another digest or a refusal from `check` leaves nothing
   * behind, unless an earlier upload had already kept the same bytes.
   */
  async putRegistered<T>(
    content: Readable,
    registered: string,
    names: {
      what: string;
      registeredAs: string;
      mismatchCode: string;
      tooLarge: (maxBytes: number) => Error;
    },
    check: (path: string) => Promise<T>,
  ): Promise<{ stored: StoredContent; checked: T }> {
    const expected = registered.slice('sha256:'.length);
    const existed = await this.store.has(expected);
    let stored: StoredContent;
    try {
      stored = await this.store.put(content, { maxBytes: this.maxBytes, expectedSha256: expected });
    } catch (error) {
      if (error instanceof ContentTooLarge) throw names.tooLarge(error.maxBytes);
      if (error instanceof ContentDigestMismatch) {
        const digest = `sha256:${error.actual}`;
        throw new RuleViolated(
          names.mismatchCode,
          `the ${names.what}'s digest ${digest} is not the registered ${names.registeredAs} ${registered}`,
          {
            digest,
            [names.registeredAs]: registered,
            errors: { body: [`hashes to ${digest}, not the registered ${registered}`] },
          },
        );
      }
      throw error;
    }
    try {
      return { stored, checked: await check(stored.path) };
    } catch (error) {
      if (!existed) await this.store.remove(stored.sha256);
      throw error;
    }
  }

  onApplicationShutdown(): void {
    if (this.temporary) rmSync(this.store.dir, { recursive: true, force: true });
  }
}
