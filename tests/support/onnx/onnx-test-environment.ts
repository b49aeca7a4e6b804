import NodeEnvironment from 'jest-environment-node';

/**
 * Jest's node environment runs each test file in its own realm, with its own Float32Array,
 * BigInt64Array, …; onnxruntime-node's native addon makes its output arrays with the host's, and
 * onnxruntime-common's Tensor then rejects them ("A float32 tensor's data must be type of
 * Float32Array"). A test file that runs an ONNX model opts into this environment with the docblock
 * `@jest-environment ./tests/support/onnx/onnx-test-environment.ts`, which hands the test realm the
 * host's typed-array constructors.
 */
export default class OnnxTestEnvironment extends NodeEnvironment {
  override async setup(): Promise<void> {
    await super.setup();
    const host = globalThis as unknown as Record<string, unknown>;
    const sandbox = this.global as unknown as Record<string, unknown>;
    for (const name of [
      'ArrayBuffer',
      'Int8Array',
      'Uint8Array',
      'Uint8ClampedArray',
      'Int16Array',
      'Uint16Array',
      'Int32Array',
      'Uint32Array',
      'Float32Array',
      'Float64Array',
      'BigInt64Array',
      'BigUint64Array',
    ]) {
      sandbox[name] = host[name];
    }
  }
}
