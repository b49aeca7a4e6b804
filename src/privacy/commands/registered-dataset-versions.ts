import { datasetDecider } from '../../datasets/dataset.decider';
import type { DatasetVersionRef } from '../../datasets/dataset.events';
import { RuleViolated } from '../../ledger/commands/rule-errors';
import type { StreamWriter } from '../../ledger/commands/stream-writer';
import { streams } from '../../ledger/stream-names';

/**
 * Refuses (422 `unknown-dataset-version`) any version not registered in its dataset's stream,
 * naming each one under `<field>.<index>`. Each dataset's stream is read once.
 */
export async function requireRegisteredDatasetVersions(
  writer: StreamWriter,
  field: string,
  refs: readonly DatasetVersionRef[],
): Promise<void> {
  const registered = new Map<string, Set<string>>();
  for (const name of new Set(refs.map((ref) => ref.name))) {
    const state = await writer.state(datasetDecider, streams.dataset(name));
    registered.set(name, new Set(state.versions.keys()));
  }
  const errors: Record<string, string[]> = {};
  refs.forEach(({ name, version }, index) => {
    if (!registered.get(name)?.has(version)) {
      errors[`${field}.${index}`] = [`${name}@${version} is not a registered dataset version`];
    }
  });
  const unknown = Object.keys(errors).length;
  if (unknown > 0) {
    throw new RuleViolated(
      'unknown-dataset-version',
      `${field} names ${unknown} dataset version(s) that are not registered`,
      { errors },
    );
  }
}
