import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { JsonObject } from '../../../ledger/event-log.port';
import {
  LINEAGE_DIRECTIONS,
  LINEAGE_NODE_KINDS,
  LINEAGE_RELATIONS,
  type LineageDirection,
  type LineageNodeKind,
  type LineageRelation,
} from '../../lineage-graph';

export class LineageNodeRefView {
  @ApiProperty({ enum: LINEAGE_NODE_KINDS, example: 'model-version' }) kind!: LineageNodeKind;
  @ApiProperty({ example: 'credit-risk@1.0.0' }) id!: string;
}

export class PredictionBatchesSummaryView {
  @ApiProperty({ example: 1440 }) count!: number;
  @ApiProperty({ format: 'date-time', description: 'When the first was recorded (occurredAt)' })
  firstRecordedAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the last was recorded (occurredAt)' })
  lastRecordedAt!: string;
}

export class LineageNodeView extends LineageNodeRefView {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Key facts as of the answer’s instant. dataset-version: name, version, contentHash, rows, region, containsPersonalInformation, containsSensitiveInformation, status (active|retired). training-run: model, status (running|completed|failed), codeRepository, codeCommit, algorithm, artifactDigest. model-version: model, version, riskTier, decisionClass, artifactDigest, personalInformationKinds, status (registered|approved|deployed|retired), serving (where it serves: deploymentId, environment, role, percent, strategy), firstDeployedAt, lastServedUntil — status and serving as the model version view and the ASIC inventory state them, at the same instant. deployment: model, environment, version (serving all traffic), canaryVersion, canaryPercent, status (active|inactive|retired), approvalId. prediction-batch: deploymentId, model, version, environment, count, window, inputDigest. Null for a node an edge names but no event recorded.',
    example: {
      model: 'credit-risk',
      version: '1.0.0',
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      artifactDigest: `sha256:${'10'.repeat(32)}`,
      personalInformationKinds: ['financial', 'identity'],
      status: 'deployed',
      serving: [
        {
          deploymentId: 'credit-risk.production',
          environment: 'production',
          role: 'primary',
          percent: 100,
          strategy: 'full',
        },
      ],
      firstDeployedAt: '2026-03-02T09:00:00.000Z',
      lastServedUntil: null,
    },
  })
  facts!: JsonObject | null;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'The events that created the node and changed its facts, oldest first',
  })
  eventIds!: string[];

  @ApiPropertyOptional({
    type: PredictionBatchesSummaryView,
    description:
      'With batches=summary, on a deployment or model version that scored prediction batches (by the answer’s instant): how many, instead of a node for each',
  })
  predictionBatches?: PredictionBatchesSummaryView;
}

export class LineageEdgeView {
  @ApiProperty({ type: LineageNodeRefView, description: 'Upstream end' })
  from!: LineageNodeRefView;

  @ApiProperty({ type: LineageNodeRefView, description: 'Downstream end' })
  to!: LineageNodeRefView;

  @ApiProperty({
    enum: LINEAGE_RELATIONS,
    description:
      'derived-into (dataset parent → child), trained (dataset → run), produced (run → model version), evaluated (dataset → model version), deployed-to (model version → deployment), restored-to (model version → deployment, by a rollback), scored (deployment or model version → prediction batch)',
  })
  relation!: LineageRelation;

  @ApiProperty({ format: 'uuid', description: 'The event that first joined the two nodes' })
  eventId!: string;

  @ApiProperty({ format: 'date-time', description: 'That event’s occurredAt' })
  occurredAt!: string;
}

export class LineageGraphView {
  @ApiProperty({ type: LineageNodeRefView }) root!: LineageNodeRefView;

  @ApiProperty({
    type: String,
    format: 'date-time',
    nullable: true,
    description: 'The instant the graph is shown as of; null: as recorded now',
  })
  asOf!: string | null;

  @ApiProperty({ minimum: 1, maximum: 10 }) depth!: number;

  @ApiProperty({ enum: LINEAGE_DIRECTIONS }) direction!: LineageDirection;

  @ApiProperty({ description: 'The node limit stopped the walk before it reached the depth' })
  truncated!: boolean;

  @ApiProperty({
    type: [LineageNodeView],
    description:
      'Each node once: the root first, then upstream nodes nearest first, then downstream nodes nearest first',
  })
  nodes!: LineageNodeView[];

  @ApiProperty({
    type: [LineageEdgeView],
    description: 'Every edge the walk followed, upstream end to downstream end',
  })
  edges!: LineageEdgeView[];
}
