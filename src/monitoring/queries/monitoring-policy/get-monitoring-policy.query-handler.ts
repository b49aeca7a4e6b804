import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { ApiProperty } from '@nestjs/swagger';
import { StreamWriter } from '../../../ledger/commands/stream-writer';
import { streams } from '../../../ledger/stream-names';
import {
  DEFAULT_MONITORING_RULES,
  type MonitoringPolicy,
  type MonitoringRules,
} from '../../monitoring-policy';
import { MONITORING_POLICY_ID, monitoringPolicyDecider } from '../../monitoring-policy.decider';

export class MonitoringPolicyView {
  @ApiProperty({ example: MONITORING_POLICY_ID }) id!: string;
  @ApiProperty({
    description: 'The built-in rules every override starts from',
    example: DEFAULT_MONITORING_RULES,
  })
  builtIn!: MonitoringRules;
  @ApiProperty({ description: 'Overrides for every model' }) default!: MonitoringPolicy['default'];
  @ApiProperty({ description: 'Overrides per risk tier' }) tiers!: MonitoringPolicy['tiers'];
  @ApiProperty({ description: 'Overrides per model name' }) models!: MonitoringPolicy['models'];
  @ApiProperty({ description: 'The version in force: 0 for the built-in rules, then 1, 2, …' })
  version!: number;
  @ApiProperty({ description: 'True while no policy has been set: the built-in rules apply' })
  isDefault!: boolean;
  @ApiProperty({ type: String, nullable: true }) setBy!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) setAt!: string | null;
}

export class GetMonitoringPolicyQuery extends Query<MonitoringPolicyView> {}

/** Read from the policy stream itself: a handful of events, and the same fold the write side uses. */
@QueryHandler(GetMonitoringPolicyQuery)
export class GetMonitoringPolicyQueryHandler implements IQueryHandler<
  GetMonitoringPolicyQuery,
  MonitoringPolicyView
> {
  constructor(private readonly writer: StreamWriter) {}

  async execute(): Promise<MonitoringPolicyView> {
    const { policy, version, isDefault, setBy, setAt } = await this.writer.state(
      monitoringPolicyDecider,
      streams.monitoringPolicy(),
    );
    return {
      id: MONITORING_POLICY_ID,
      builtIn: DEFAULT_MONITORING_RULES,
      ...policy,
      version,
      isDefault,
      setBy,
      setAt,
    };
  }
}
