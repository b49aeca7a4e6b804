import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Inject, Injectable, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { ContentStore } from './content-store';

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

  onApplicationShutdown(): void {
    if (this.temporary) rmSync(this.store.dir, { recursive: true, force: true });
  }
}
