import { Module } from '@nestjs/common';
import { ArtifactStorage } from './artifact-storage';

/** One content store under ARTIFACT_DIR for model artifacts and dataset data alike. */
@Module({ providers: [ArtifactStorage], exports: [ArtifactStorage] })
export class ArtifactsModule {}
