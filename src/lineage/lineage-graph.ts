import {
  RESOURCE_NAME,
  RESOURCE_NAME_HINT,
  UUID,
  VERSION,
  VERSION_HINT,
  parseDeploymentId,
} from '../ledger/commands/identifiers';

/** What a lineage node stands for; its id's shape follows from its kind. */
export const LINEAGE_NODE_KINDS = [
  'dataset-version',
  'training-run',
  'model-version',
  'deployment',
  'prediction-batch',
] as const;
export type LineageNodeKind = (typeof LINEAGE_NODE_KINDS)[number];

/** How an upstream node feeds a downstream one. */
export const LINEAGE_RELATIONS = [
  'derived-into',
  'trained',
  'produced',
  'evaluated',
  'deployed-to',
  'restored-to',
  'scored',
] as const;
export type LineageRelation = (typeof LINEAGE_RELATIONS)[number];

export type LineageNodeRef = { kind: LineageNodeKind; id: string };

export const LINEAGE_DIRECTIONS = ['upstream', 'downstream', 'both'] as const;
export type LineageDirection = (typeof LINEAGE_DIRECTIONS)[number];

/** Dataset and model versions are named `<name>@<version>`. */
export function versionNodeId(name: string, version: string): string {
  return `${name}@${version}`;
}

function isVersionNodeId(id: string): boolean {
  const at = id.indexOf('@');
  return at > 0 && RESOURCE_NAME.test(id.slice(0, at)) && VERSION.test(id.slice(at + 1));
}

const ID_SHAPES: Record<LineageNodeKind, { accepts: (id: string) => boolean; hint: string }> = {
  'dataset-version': {
    accepts: isVersionNodeId,
    hint: `<dataset>@<version>, e.g. credit-applications@2026-01 (name: ${RESOURCE_NAME_HINT}; version: ${VERSION_HINT})`,
  },
  'training-run': { accepts: (id) => UUID.test(id), hint: 'a training run id (a UUID)' },
  'model-version': {
    accepts: isVersionNodeId,
    hint: `<model>@<version>, e.g. credit-risk@1.4.0 (name: ${RESOURCE_NAME_HINT}; version: ${VERSION_HINT})`,
  },
  deployment: {
    accepts: (id) => parseDeploymentId(id) !== undefined,
    hint: '<model>.<environment>, e.g. credit-risk.production',
  },
  'prediction-batch': { accepts: (id) => UUID.test(id), hint: 'a prediction batch id (a UUID)' },
};

export function isLineageNodeKind(kind: unknown): kind is LineageNodeKind {
  return typeof kind === 'string' && (LINEAGE_NODE_KINDS as readonly string[]).includes(kind);
}

/** Whether `id` has the shape of an id of `kind`. */
export function acceptsNodeId(kind: LineageNodeKind, id: string): boolean {
  return ID_SHAPES[kind].accepts(id);
}

export function nodeIdHint(kind: LineageNodeKind): string {
  return ID_SHAPES[kind].hint;
}

/** UUIDs compare in lower case; the other ids are case-sensitive as registered. */
export function canonicalNodeId(kind: LineageNodeKind, id: string): string {
  return kind === 'training-run' || kind === 'prediction-batch' ? id.toLowerCase() : id;
}
