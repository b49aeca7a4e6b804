import { Module } from '@nestjs/common';
import { SetEvaluationPolicyHandler } from './commands/set-evaluation-policy/set-evaluation-policy.handler';
import { SetEvaluationPolicyHttpController } from './commands/set-evaluation-policy/set-evaluation-policy.http.controller';
import { EvaluationPolicyHttpController } from './queries/evaluation-policy/evaluation-policy.http.controller';
import { GetEvaluationPolicyQueryHandler } from './queries/evaluation-policy/get-evaluation-policy.query-handler';

/** The evaluation policy: set and read (README, "The evaluation policy"). */
@Module({
  controllers: [SetEvaluationPolicyHttpController, EvaluationPolicyHttpController],
  providers: [SetEvaluationPolicyHandler, GetEvaluationPolicyQueryHandler],
})
export class EvaluationPolicyModule {}
