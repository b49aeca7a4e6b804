/**
 * Test fixtures for running ONNX models: models encoded in code (onnx-models.ts) and a seeded
 * synthetic credit dataset they score (credit-dataset.ts). A test file that runs a model under jest
 * needs the docblock `@jest-environment ./tests/support/onnx/onnx-test-environment.ts`.
 */
export * from './onnx-models';
export * from './credit-dataset';
