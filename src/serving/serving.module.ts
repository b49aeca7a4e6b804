import { Module } from '@nestjs/common';

/** Serving (README, "Serving"): deployments answer predictions from the stored artifact, in worker threads. */
@Module({})
export class ServingModule {}
