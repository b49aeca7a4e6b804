import { createHash } from 'node:crypto';
import { logisticRegressionModel } from './onnx';
import type { TestApp } from './test-app';

/**
 * Model versions whose ONNX file is stored, for suites that deploy them: a version whose artifact
 * was never stored cannot be deployed (README, "Serving").
 */

/**
 * A loadable ONNX file of its own for `tag` (the fixture logistic regression with the tag as its
 * doc string) and its digest, to register as a version's artifact and then store.
 */
export function versionArtifact(tag: string): { bytes: Buffer; digest: string } {
  const bytes = Buffer.from(logisticRegressionModel(`attest test artifact ${tag}`));
  return { bytes, digest: `sha256:${createHash('sha256').update(bytes).digest('hex')}` };
}

/**
 * Stores `tag`'s artifact as model@version's ONNX file (PUT …/artifact); it must be accepted.
 * Returns the write's answer (its ledgerPosition, for reads that wait on it).
 */
export async function storeVersionArtifact(
  test: TestApp,
  authorization: string,
  target: { model: string; version: string; tag: string },
  headers: Record<string, string> = {},
): Promise<{ id: string; ledgerPosition: string }> {
  const path = `/api/v1/models/${target.model}/versions/${target.version}/artifact`;
  let call = test
    .anonymous()
    .put(path)
    .set('Authorization', authorization)
    .set('Content-Type', 'application/octet-stream');
  for (const [name, value] of Object.entries(headers)) call = call.set(name, value);
  const response = await call.send(versionArtifact(target.tag).bytes);
  // Thrown rather than expected: benchmarks run it outside jest.
  if (response.status !== 200) {
    throw new Error(`PUT ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
  return response.body as { id: string; ledgerPosition: string };
}
