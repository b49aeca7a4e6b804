import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ArtifactStorage } from '../../../artifacts/artifact-storage';
import { NotRecorded, RuleViolated, StateConflict } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { DomainError } from '../../../ledger/ledger.errors';
import { streams } from '../../../ledger/stream-names';
import { DataDoesNotFitSchema, checkCsvAgainstSchema } from '../../dataset-data-check';
import { dataPurgedConflict, datasetDecider } from '../../dataset.decider';
import { StoreDatasetDataCommand } from './store-dataset-data.command';

/** The upload is larger than ARTIFACT_MAX_BYTES (413); nothing was kept. */
export class DatasetDataTooLarge extends DomainError {
  readonly code = 'dataset-data-too-large';
  readonly status = 413;

  constructor(maxBytes: number) {
    super(`the data file is larger than ARTIFACT_MAX_BYTES (${maxBytes} bytes)`);
    Object.assign(this.details, { maxBytes, errors: { body: [this.message] } });
  }
}

/**
 * Streams the upload into the content store, checked against the registered contentHash, reads
 * it back through the CSV parser against the registered schema and records DatasetDataStored
 * with the digest and aggregates only (README, `PUT /datasets/{name}/versions/{version}/data`).
 */
@CommandHandler(StoreDatasetDataCommand)
export class StoreDatasetDataHandler implements ICommandHandler<StoreDatasetDataCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly storage: ArtifactStorage,
  ) {}

  async execute({ input, context }: StoreDatasetDataCommand): Promise<WriteResult> {
    const { name, version, content } = input;
    const state = await this.writer.state(datasetDecider, streams.dataset(name));
    const current = state.versions.get(version);
    if (!current || current.retired || current.dataPurged) {
      // Read and dropped, so the answer reaches a client still sending.
      content.resume();
      if (!current) throw new NotRecorded('dataset version', `${name}@${version}`);
      if (current.retired) {
        throw new StateConflict('dataset-version-retired', `${name}@${version} is retired`);
      }
      throw dataPurgedConflict(name, version);
    }
    const registered = current.contentHash;
    const { stored, checked: summary } = await this.storage.putRegistered(
      content,
      registered,
      {
        what: `${name}@${version} data`,
        registeredAs: 'contentHash',
        mismatchCode: 'dataset-digest-mismatch',
        tooLarge: (maxBytes) => new DatasetDataTooLarge(maxBytes),
      },
      async (path) => {
        try {
          return await checkCsvAgainstSchema(
            path,
            current.registration.schema,
            current.registration.rows,
          );
        } catch (error) {
          if (!(error instanceof DataDoesNotFitSchema)) throw error;
          throw new RuleViolated(error.code, error.message, error.details);
        }
      },
    );
    const outcome = await this.writer.execute(
      streams.dataset(name),
      datasetDecider,
      {
        type: 'StoreDatasetData',
        data: {
          name,
          version,
          digest: registered,
          size: stored.size,
          rows: summary.rows,
          columns: summary.columns,
          mediaType: 'text/csv',
        },
        actor: context.actor.sub,
        now: context.now,
      },
      context,
    );
    return writeResult(`${name}@${version}`, outcome);
  }
}
