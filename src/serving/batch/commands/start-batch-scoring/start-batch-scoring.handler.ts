import { mkdir, rm } from 'node:fs/promises';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ArtifactStorage } from '../../../../artifacts/artifact-storage';
import { RuleViolated } from '../../../../ledger/commands/rule-errors';
import { DomainError } from '../../../../ledger/ledger.errors';
import { ServingResolver } from '../../../serving-api';
import { CsvFault, UploadTooLarge, planColumns, readHeader, saveUpload } from '../../batch-csv';
import { type BatchScoringJob, BatchScoringJobStore } from '../../batch-scoring-job.store';
import { BatchScoringRunner, jobFiles } from '../../batch-scoring-runner';
import { StartBatchScoringCommand } from './start-batch-scoring.command';

/** The upload is larger than ARTIFACT_MAX_BYTES (413); nothing was kept. */
export class BatchUploadTooLarge extends DomainError {
  readonly code = 'batch-upload-too-large';
  readonly status = 413;

  constructor(maxBytes: number) {
    super(`the CSV is larger than ARTIFACT_MAX_BYTES (${maxBytes} bytes)`);
    Object.assign(this.details, { maxBytes, errors: { body: [this.message] } });
  }
}

/** What a job's outcome holds when it is started by this handler (tests and benches wait on it). */
export type StartedBatch = { job: BatchScoringJob; done: Promise<void> };

/**
 * Resolves what the deployment serves for the job's requestId (once: the whole job is served by
 * that version and arm), streams the CSV to a file under ARTIFACT_DIR, checks its header against
 * the model's features, records a queued job and hands it to the runner without waiting (README,
 * "Batch scoring"). A refusal leaves no file and no job behind.
 */
@CommandHandler(StartBatchScoringCommand)
export class StartBatchScoringHandler implements ICommandHandler<StartBatchScoringCommand> {
  constructor(
    private readonly resolver: ServingResolver,
    private readonly store: BatchScoringJobStore,
    private readonly runner: BatchScoringRunner,
    private readonly storage: ArtifactStorage,
  ) {}

  async execute({ input, context }: StartBatchScoringCommand): Promise<StartedBatch> {
    const { content } = input;
    const id = uuidv7();
    const requestId = input.requestId ?? id;
    const subjectColumn = input.subjectColumn ?? null;
    let model;
    try {
      model = await this.resolver.resolve(input.deploymentId, requestId);
    } catch (error) {
      // Read and dropped, so the answer reaches a client still sending.
      content.resume();
      throw error;
    }
    await mkdir(this.runner.dir, { recursive: true });
    const files = jobFiles(this.runner.dir, id);
    let records: number;
    try {
      ({ records } = await saveUpload(content, files.input, this.storage.maxBytes));
    } catch (error) {
      if (error instanceof UploadTooLarge) throw new BatchUploadTooLarge(error.maxBytes);
      throw error;
    }
    let plan;
    try {
      const header = await readHeader(files.input);
      if (header === null) {
        throw new CsvFault('the CSV has no header row', null, null);
      }
      plan = planColumns(header, model.features, subjectColumn);
      if (records < 2) throw new CsvFault('the CSV has no data rows', null, null);
    } catch (error) {
      await rm(files.input, { force: true });
      if (error instanceof CsvFault) {
        throw new RuleViolated('batch-csv-unfit', error.message, {
          ...(error.line !== null ? { line: error.line } : {}),
          ...(error.column !== null ? { column: error.column } : {}),
          errors: { [error.column !== null ? `header.${error.column}` : 'body']: [error.message] },
        });
      }
      throw error;
    }
    let job: BatchScoringJob;
    try {
      job = await this.store.create({
        id,
        deploymentId: model.deploymentId,
        model: model.model,
        environment: model.environment,
        version: model.version,
        arm: model.arm,
        artifactDigest: model.artifactDigest,
        requestId,
        rowsTotal: records - 1,
        resultPath: files.result,
        requestedBy: context.actor.sub,
        createdAt: new Date(context.now),
      });
    } catch (error) {
      await rm(files.input, { force: true });
      throw error;
    }
    const done = this.runner.enqueue({ job, model, plan, files });
    return { job, done };
  }
}
