import { type Hmac, createHmac } from 'node:crypto';
import { mkdir, rename, rm } from 'node:fs/promises';
import { Inject } from '@nestjs/common';
import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { v7 as uuidv7 } from 'uuid';
import { ArtifactStorage } from '../../../../artifacts/artifact-storage';
import { SERVER_PEPPER } from '../../../../config/config.module';
import type { SubjectPepper } from '../../../../config/subject-pepper';
import { derivedUuid } from '../../../../ledger/commands/command-context';
import { IdempotencyKeyReused } from '../../../../ledger/commands/idempotency.interceptor';
import { RuleViolated } from '../../../../ledger/commands/rule-errors';
import { DomainError } from '../../../../ledger/ledger.errors';
import { ServingResolver } from '../../../serving-api';
import {
  CsvFault,
  UploadTooLarge,
  digestUpload,
  planColumns,
  readHeader,
  saveUpload,
} from '../../batch-csv';
import { type BatchScoringJob, BatchScoringJobStore } from '../../batch-scoring-job.store';
import { BatchScoringRunner, SERVER_FAULT, jobFiles } from '../../batch-scoring-runner';
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

/**
 * What a job's outcome holds when it is started by this handler (tests and benches wait on it);
 * `replayed` when the request repeated an earlier one with the same Idempotency-Key.
 */
export type StartedBatch = { job: BatchScoringJob; done: Promise<void>; replayed?: boolean };

/**
 * Resolves what the deployment serves for the job's requestId (once: the whole job is served by
 * that version and arm), streams the CSV to a file under ARTIFACT_DIR, checks its header against
 * the model's features, records a queued job and hands it to the runner without waiting (README,
 * "Batch scoring"). A refusal leaves no file and no job behind.
 *
 * With an Idempotency-Key the job's id is derived from the caller and the key, and the upload's
 * keyed digest is stored on the job: a retry with the same key, bytes and query answers that job
 * and keeps nothing (even when it races the first request: each streams to a file of its own, and
 * only the one that records the job keeps its file); other bytes or another query are a 422
 * `idempotency-key-reused`. The generic IdempotencyInterceptor leaves streamed bodies alone.
 */
@CommandHandler(StartBatchScoringCommand)
export class StartBatchScoringHandler implements ICommandHandler<StartBatchScoringCommand> {
  constructor(
    private readonly resolver: ServingResolver,
    private readonly store: BatchScoringJobStore,
    private readonly runner: BatchScoringRunner,
    private readonly storage: ArtifactStorage,
    @Inject(SERVER_PEPPER) private readonly pepper: SubjectPepper,
  ) {}

  async execute({ input, context }: StartBatchScoringCommand): Promise<StartedBatch> {
    const { content, idempotencyKey } = input;
    const id =
      idempotencyKey !== undefined
        ? derivedUuid('batch-scoring', context.actor.sub, idempotencyKey)
        : uuidv7();
    const requestId = input.requestId ?? id;
    const subjectColumn = input.subjectColumn ?? null;
    const hash = this.uploadHash();
    if (idempotencyKey !== undefined) {
      const earlier = await this.store.find(id);
      if (earlier) {
        try {
          await digestUpload(content, this.storage.maxBytes, hash);
        } catch (error) {
          if (error instanceof UploadTooLarge) throw new BatchUploadTooLarge(error.maxBytes);
          throw error;
        }
        return repeated(earlier, input.deploymentId, requestId, subjectColumn, digestOf(hash));
      }
    }
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
    // Retries with one key may arrive together: each streams to a file of its own (swept like an
    // upload whose job was never recorded), moved into place by the one that records the job.
    const upload =
      idempotencyKey !== undefined ? jobFiles(this.runner.dir, uuidv7()).input : files.input;
    let records: number;
    try {
      ({ records } = await saveUpload(content, upload, this.storage.maxBytes, hash));
    } catch (error) {
      if (error instanceof UploadTooLarge) throw new BatchUploadTooLarge(error.maxBytes);
      throw error;
    }
    const uploadDigest = digestOf(hash);
    let plan;
    try {
      const header = await readHeader(upload);
      if (header === null) {
        throw new CsvFault('the CSV has no header row', null, null);
      }
      plan = planColumns(header, model.features, subjectColumn);
      if (records < 2) throw new CsvFault('the CSV has no data rows', null, null);
    } catch (error) {
      await rm(upload, { force: true });
      if (error instanceof CsvFault) {
        throw new RuleViolated('batch-csv-unfit', error.message, {
          ...(error.line !== null ? { line: error.line } : {}),
          ...(error.column !== null ? { column: error.column } : {}),
          errors: { [error.column !== null ? `header.${error.column}` : 'body']: [error.message] },
        });
      }
      throw error;
    }
    let job: BatchScoringJob | null;
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
        subjectColumn,
        uploadDigest,
        rowsTotal: records - 1,
        resultPath: files.result,
        requestedBy: context.actor.sub,
        createdAt: new Date(context.now),
      });
    } catch (error) {
      await rm(upload, { force: true });
      throw error;
    }
    if (!job) {
      // A retry with the same key recorded the job first: this upload is not kept.
      await rm(upload, { force: true });
      const earlier = await this.store.find(id);
      if (!earlier) throw new Error(`batch scoring job ${id} was recorded and is gone`);
      return repeated(earlier, input.deploymentId, requestId, subjectColumn, uploadDigest);
    }
    if (upload !== files.input) {
      try {
        await rename(upload, files.input);
      } catch (error) {
        await rm(upload, { force: true });
        await this.store.failed(id, SERVER_FAULT, null, new Date(context.now));
        throw error;
      }
    }
    const done = this.runner.enqueue({ job, model, plan, files });
    return { job, done };
  }

  /** HMAC-SHA-256 of the upload under the privacy pepper, domain-separated from other digests. */
  private uploadHash(): Hmac {
    return createHmac('sha256', Buffer.from(this.pepper.secret, 'utf8')).update(
      'batch-scoring-upload\u0000',
    );
  }
}

const digestOf = (hash: Hmac) => `hmac-sha256:${hash.digest('hex')}`;

/**
 * The answer to a retry with the Idempotency-Key of `earlier`: that job again when the request
 * repeats it (the same deployment, query and bytes), else 422 `idempotency-key-reused`.
 */
function repeated(
  earlier: BatchScoringJob,
  deploymentId: string,
  requestId: string,
  subjectColumn: string | null,
  uploadDigest: string,
): StartedBatch {
  const same =
    earlier.deploymentId === deploymentId &&
    earlier.requestId === requestId &&
    earlier.subjectColumn === subjectColumn &&
    earlier.uploadDigest === uploadDigest;
  if (!same) throw new IdempotencyKeyReused();
  return { job: earlier, done: Promise.resolve(), replayed: true };
}
