import { Module } from '@nestjs/common';

/** Retraining triggers (README, "Retraining triggers"): a breach or a cadence records RetrainingTriggered. */
@Module({})
export class RetrainingModule {}
