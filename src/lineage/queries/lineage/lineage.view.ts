import { ApiProperty } from '@nestjs/swagger';
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

export class LineageNodeView extends LineageNodeRefView {
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    nullable: true,
    description:
      'Key facts as of the answer’s instant. dataset-version: name, version, contentHash, rows, region, containsPersonalInformation, containsSensitiveInformation, status (active|retired). training-run: model, status (running|completed|failed), codeRepository, codeCommit, algorithm, artifactDigest. model-version: model, version, riskTier, decisionClass, artifactDigest, personalInformationKinds, status (registered|retired). deployment: model, environment, version (serving all traffic), canaryVersion, canaryPercent, status (active|inactive|retired), approvalId. prediction-batch: deploymentId, model, version, environment, count, window, inputDigest. Null for a node an edge names but no event recorded.',
    example: {
      model: 'credit-risk',
      version: '1.0.0',
      riskTier: 'high',
      decisionClass: 'substantially-assists',
      artifactDigest: `sha256:${'10'.repeat(32)}`,
      personalInformationKinds: ['financial', 'identity'],
      status: 'registered',
    },
  })
  facts!: JsonObject | null;

  @ApiProperty({
    type: [String],
    format: 'uuid',
    description: 'The events that created the node and changed its facts, oldest first',
  })
  eventIds!: string[];
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

const digest = (byte: string) => `sha256:${byte.repeat(32)}`;

/** One answer, as the OpenAPI example shows it: a model version with depth 1 both ways. */
const EXAMPLE = {
  root: { kind: 'model-version', id: 'credit-risk@1.0.0' },
  asOf: '2026-03-01T00:00:00.000Z',
  depth: 1,
  direction: 'both',
  truncated: false,
  nodes: [
    {
      kind: 'model-version',
      id: 'credit-risk@1.0.0',
      facts: {
        model: 'credit-risk',
        version: '1.0.0',
        riskTier: 'high',
        decisionClass: 'substantially-assists',
        artifactDigest: digest('10'),
        personalInformationKinds: ['financial', 'identity'],
        status: 'registered',
      },
      eventIds: ['01936f0e-8a7b-7c3d-9e1f-000000000003'],
    },
    {
      kind: 'dataset-version',
      id: 'credit-holdout@2026-01',
      facts: {
        name: 'credit-holdout',
        version: '2026-01',
        contentHash: digest('c2'),
        rows: 50000,
        region: 'ap-southeast-2',
        containsPersonalInformation: true,
        containsSensitiveInformation: false,
        status: 'active',
      },
      eventIds: ['01936f0e-8a7b-7c3d-9e1f-000000000001'],
    },
    {
      kind: 'training-run',
      id: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f',
      facts: {
        model: 'credit-risk',
        status: 'completed',
        codeRepository: 'git@bank.example:risk/credit.git',
        codeCommit: 'a1b2c3d4e5f6',
        algorithm: 'gradient-boosted trees',
        artifactDigest: digest('10'),
      },
      eventIds: ['01936f0e-8a7b-7c3d-9e1f-000000000002', '01936f0e-8a7b-7c3d-9e1f-000000000004'],
    },
    {
      kind: 'deployment',
      id: 'credit-risk.production',
      facts: {
        model: 'credit-risk',
        environment: 'production',
        version: '1.0.0',
        canaryVersion: null,
        canaryPercent: null,
        status: 'active',
        approvalId: '01936f0e-8a7b-7c3d-9e1f-00000000a001',
      },
      eventIds: ['01936f0e-8a7b-7c3d-9e1f-000000000006'],
    },
  ],
  edges: [
    {
      from: { kind: 'dataset-version', id: 'credit-holdout@2026-01' },
      to: { kind: 'model-version', id: 'credit-risk@1.0.0' },
      relation: 'evaluated',
      eventId: '01936f0e-8a7b-7c3d-9e1f-000000000005',
      occurredAt: '2026-02-02T09:00:00.000Z',
    },
    {
      from: { kind: 'training-run', id: '01936f0e-8a7b-7c3d-9e1f-2a3b4c5d6e7f' },
      to: { kind: 'model-version', id: 'credit-risk@1.0.0' },
      relation: 'produced',
      eventId: '01936f0e-8a7b-7c3d-9e1f-000000000003',
      occurredAt: '2026-02-01T09:00:00.000Z',
    },
    {
      from: { kind: 'model-version', id: 'credit-risk@1.0.0' },
      to: { kind: 'deployment', id: 'credit-risk.production' },
      relation: 'deployed-to',
      eventId: '01936f0e-8a7b-7c3d-9e1f-000000000006',
      occurredAt: '2026-02-10T09:00:00.000Z',
    },
  ],
};

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

  static readonly example = EXAMPLE;
}
