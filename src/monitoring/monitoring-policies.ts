import { Injectable } from '@nestjs/common';
import { StreamWriter } from '../ledger/commands/stream-writer';
import { streams } from '../ledger/stream-names';
import { type MonitoringRules, effectiveRules } from './monitoring-policy';
import { monitoringPolicyDecider } from './monitoring-policy.decider';
import { type MonitoringModelFacts, monitoringModelFacts } from './monitoring-model-facts';

/**
 * The monitoring rules in force for a model (README, "Monitoring by Attest"), read from the
 * policy stream and the model's stream on every call (each a cached fold plus what is new), so a
 * policy change applies to the next batch on every replica.
 */
@Injectable()
export class MonitoringPolicies {
  constructor(private readonly writer: StreamWriter) {}

  /**
   * The effective rules: built-in, then the policy's default, the risk tier's and the model's
   * own. The tier is the given version's, or the newest registered version's; a model the
   * registry does not hold gets default and model overrides only.
   */
  async effectiveFor(model: string, version?: string): Promise<MonitoringRules> {
    return (await this.forModel(model)).rulesFor(version);
  }

  /**
   * The model's facts and its rules per version from one read of each stream, for a caller that
   * needs both (a check reads its baseline from the facts).
   */
  async forModel(model: string): Promise<{
    facts: MonitoringModelFacts;
    rulesFor: (version?: string) => MonitoringRules;
  }> {
    const [{ policy }, facts] = await Promise.all([
      this.writer.state(monitoringPolicyDecider, streams.monitoringPolicy()),
      this.modelFacts(model),
    ]);
    const rulesFor = (version?: string) => {
      const chosen = version ?? facts.order.at(-1);
      const riskTier = chosen ? (facts.versions.get(chosen)?.riskTier ?? null) : null;
      return effectiveRules(policy, model, riskTier);
    };
    return { facts, rulesFor };
  }

  /** The model's stream folded for monitoring: tiers and Attest's evaluations per version. */
  modelFacts(model: string): Promise<MonitoringModelFacts> {
    return this.writer.state(monitoringModelFacts, streams.model(model));
  }
}
