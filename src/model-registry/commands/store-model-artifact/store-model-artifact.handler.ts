import { CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { ArtifactStorage } from '../../../artifacts/artifact-storage';
import { UnusableModel, inspectOnnx } from '../../../artifacts/onnx-inspection';
import { NotRecorded, RuleViolated } from '../../../ledger/commands/rule-errors';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { type WriteResult, writeResult } from '../../../ledger/commands/write-result';
import { DomainError } from '../../../ledger/ledger.errors';
import { streams } from '../../../ledger/stream-names';
import { modelDecider } from '../../model.decider';
import { StoreModelArtifactCommand } from './store-model-artifact.command';

/** The upload is larger than ARTIFACT_MAX_BYTES (413); nothing was kept. */
export class ArtifactTooLarge extends DomainError {
  readonly code = 'artifact-too-large';
  readonly status = 413;

  constructor(maxBytes: number) {
    super(`the artifact is larger than ARTIFACT_MAX_BYTES (${maxBytes} bytes)`);
    Object.assign(this.details, { maxBytes, errors: { body: [this.message] } });
  }
}

/**
 * Streams the upload into the content store, checked against the registered digest, loads it in
 * onnxruntime and records ModelArtifactStored with what the file says (docs/design.md §2).
 */
@CommandHandler(StoreModelArtifactCommand)
export class StoreModelArtifactHandler implements ICommandHandler<StoreModelArtifactCommand> {
  constructor(
    private readonly writer: StreamWriter,
    private readonly storage: ArtifactStorage,
  ) {}

  async execute({ input, context }: StoreModelArtifactCommand): Promise<WriteResult> {
    const { model, version, content } = input;
    const state = await this.writer.state(modelDecider, streams.model(model));
    const registered = state.versions.get(version)?.registration.artifactDigest;
    if (!registered) {
      // Read and dropped, so the answer reaches a client still sending.
      content.resume();
      throw new NotRecorded('model version', `${model}@${version}`);
    }
    const { stored, checked: metadata } = await this.storage.putRegistered(
      content,
      registered,
      {
        what: `${model}@${version} artifact`,
        registeredAs: 'artifactDigest',
        mismatchCode: 'artifact-digest-mismatch',
        tooLarge: (maxBytes) => new ArtifactTooLarge(maxBytes),
      },
      async (path) => {
        try {
          return await inspectOnnx(path);
        } catch (error) {
          if (!(error instanceof UnusableModel)) throw error;
          throw new RuleViolated('unusable-model-artifact', error.message, {
            errors: { body: [error.message] },
          });
        }
      },
    );
    const outcome = await this.writer.execute(
      streams.model(model),
      modelDecider,
      {
        type: 'StoreModelArtifact',
        data: { model, version, digest: registered, size: stored.size, ...metadata },
        actor: context.actor.sub,
        now: context.now,
      },
      context,
    );
    return writeResult(`${model}@${version}`, outcome);
  }
}
