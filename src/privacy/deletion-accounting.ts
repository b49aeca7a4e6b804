import type { DatasetVersionRef } from '../datasets/dataset.events';
import { parseDeploymentId } from '../ledger/commands/identifiers';

/** The kinds of thing an assessment finds the subject's data in. */
export const AFFECTED_KINDS = ['dataset-version', 'model', 'deployment'] as const;
export type AffectedKind = (typeof AFFECTED_KINDS)[number];

/** One affected item: a dataset version or model version as `name@version`, a deployment by id. */
export type AffectedItem = { kind: AffectedKind; id: string };

/** How one affected item was dealt with when the request was fulfilled. */
export const ACCOUNTING_METHODS = ['replacement', 'retraining', 'exception'] as const;
export type AccountedItem = AffectedItem & {
  by: (typeof ACCOUNTING_METHODS)[number];
  /** The replacement or retrained version (`name@version`), or the exception's reason. */
  detail: string;
};

export type Affected = {
  datasetVersions: DatasetVersionRef[];
  models: { name: string; version: string }[];
  deployments: string[];
};

/** What a fulfilment states; `replaces` and `covers` are absent from fulfilments recorded before they existed. */
export type StatedFulfilment = {
  replacementDatasetVersions: (DatasetVersionRef & { replaces?: DatasetVersionRef[] })[];
  retrainedModels: { name: string; version: string; replaces?: DatasetVersionRef[] }[];
  exceptions: { item: string; reason: string; covers?: AffectedItem }[];
};

export const refId = ({ name, version }: { name: string; version: string }) => `${name}@${version}`;

/** Every affected item of an assessment, in its order: dataset versions, models, deployments. */
export function affectedItems(affected: Affected): AffectedItem[] {
  return [
    ...affected.datasetVersions.map((ref) => ({
      kind: 'dataset-version' as const,
      id: refId(ref),
    })),
    ...affected.models.map((ref) => ({ kind: 'model' as const, id: refId(ref) })),
    ...affected.deployments.map((id) => ({ kind: 'deployment' as const, id })),
  ];
}

/** The field of the assessment that names an item, e.g. `affected.models.1`. */
export function affectedField(affected: Affected, item: AffectedItem): string {
  switch (item.kind) {
    case 'dataset-version':
      return `affected.datasetVersions.${affected.datasetVersions.findIndex((ref) => refId(ref) === item.id)}`;
    case 'model':
      return `affected.models.${affected.models.findIndex((ref) => refId(ref) === item.id)}`;
    case 'deployment':
      return `affected.deployments.${affected.deployments.indexOf(item.id)}`;
  }
}

/** The affected dataset versions a replacement replaces: those it names, else those of its dataset. */
export function replacedBy(
  affected: Affected,
  replacement: StatedFulfilment['replacementDatasetVersions'][number],
): DatasetVersionRef[] {
  return (
    replacement.replaces ?? affected.datasetVersions.filter((ref) => ref.name === replacement.name)
  );
}

/** The affected model versions a retrained version replaces: those it names, else those of its model. */
export function retrainedFor(
  affected: Affected,
  retrained: StatedFulfilment['retrainedModels'][number],
): { name: string; version: string }[] {
  return retrained.replaces ?? affected.models.filter((ref) => ref.name === retrained.name);
}

/** The affected deployments a retrained version serves in place of: those of its model or of a model it replaces. */
export function deploymentsRetrainedFor(
  affected: Affected,
  retrained: StatedFulfilment['retrainedModels'][number],
): string[] {
  const models = new Set([
    retrained.name,
    ...retrainedFor(affected, retrained).map((ref) => ref.name),
  ]);
  return affected.deployments.filter((id) => {
    const model = parseDeploymentId(id)?.model;
    return model !== undefined && models.has(model);
  });
}

/**
 * How each affected item is accounted for by what a fulfilment states (docs/design.md §2: pure,
 * so the decider and the OAIC report agree): a dataset version by a replacement that replaces it;
 * a model version by a retrained version that replaces it; a deployment by a retrained version
 * of the model it serves (or of a model that version replaces); any item by an exception that
 * covers it. A fulfilment recorded before exceptions named what they cover counts an exception
 * only where its `item` is exactly an affected item's id.
 */
export function accountFor(
  affected: Affected,
  fulfilment: StatedFulfilment,
): { accounted: AccountedItem[]; unaccounted: AffectedItem[] } {
  const ways = new Map<string, AccountedItem>();
  const note = (item: AffectedItem, by: AccountedItem['by'], detail: string) => {
    const key = `${item.kind} ${item.id}`;
    if (!ways.has(key)) ways.set(key, { ...item, by, detail });
  };
  for (const replacement of fulfilment.replacementDatasetVersions) {
    for (const ref of replacedBy(affected, replacement)) {
      note({ kind: 'dataset-version', id: refId(ref) }, 'replacement', refId(replacement));
    }
  }
  for (const retrained of fulfilment.retrainedModels) {
    for (const ref of retrainedFor(affected, retrained))
      note({ kind: 'model', id: refId(ref) }, 'retraining', refId(retrained));
    for (const id of deploymentsRetrainedFor(affected, retrained))
      note({ kind: 'deployment', id }, 'retraining', refId(retrained));
  }
  const items = affectedItems(affected);
  for (const exception of fulfilment.exceptions) {
    const covered = exception.covers
      ? items.filter((i) => i.kind === exception.covers?.kind && i.id === exception.covers.id)
      : items.filter((i) => i.id === exception.item);
    for (const item of covered) note(item, 'exception', exception.reason);
  }
  const accounted: AccountedItem[] = [];
  const unaccounted: AffectedItem[] = [];
  for (const item of items) {
    const way = ways.get(`${item.kind} ${item.id}`);
    if (way) accounted.push(way);
    else unaccounted.push(item);
  }
  return { accounted, unaccounted };
}
