import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { v7 as uuidv7 } from 'uuid';
import { Allow } from '../auth/access.decorators';
import { PRODUCTION, deploymentId } from '../ledger/commands/identifiers';
import { InvalidRequest } from '../ledger/ledger.errors';
import { ApiProblems } from '../ledger/http/api-problems.decorator';
import { ApiServing } from './api-serving.decorator';
import {
  InferRequest,
  InferResponse,
  ModelMetadataResponse,
  ModelReadyResponse,
  OipModelPath,
} from './open-inference.request.dto';
import { PredictionService } from './prediction-service';
import type { ServedModel } from './served-model';
import { MAX_ROWS, validateRows } from './serving-api';
import { LedgerServingResolver } from './serving-resolver';

/** `{model}`: a deployment id, or a model name meaning its production deployment. */
export function oipDeployment(model: string): string {
  return model.includes('.') ? model : deploymentId(model, PRODUCTION);
}

/**
 * The Open Inference Protocol (v2) routes, outside /api/v1 as clients of KServe and Seldon
 * expect them (README, "Serving"): the same resolution, scoring and receipts as
 * POST /deployments/{id}/predict.
 */
@ApiTags('serving')
@Allow('scoring', 'pipeline')
@Controller('v2/models')
export class OpenInferenceHttpController {
  constructor(
    private readonly predictions: PredictionService,
    private readonly resolver: LedgerServingResolver,
  ) {}

  @Post(':model/infer')
  @HttpCode(200)
  @ApiOperation({
    summary:
      'Open Inference Protocol inference: one input per feature ([N] or [N, 1]), or an ONNX input with all its columns ([N, k]); outputs score, decision, label and receipt_id',
  })
  @ApiOkResponse({ type: InferResponse })
  @ApiServing()
  async infer(
    @Param() { model }: OipModelPath,
    @Body() body: InferRequest,
  ): Promise<InferResponse> {
    const requestId = body.id ?? uuidv7();
    const subject = body.parameters?.subject_ref;
    if (subject !== undefined && (typeof subject !== 'string' || subject.length === 0)) {
      throw new InvalidRequest('parameters.subject_ref must be a non-empty string', {
        'parameters.subject_ref': ['a non-empty string'],
      });
    }
    const result = await this.predictions.predict({
      deploymentId: oipDeployment(model),
      requestId,
      subjectRef: subject ?? null,
      rows: undefined,
      toRows: (served) => rowsOf(served, body),
    });
    const n = result.predictions.length;
    const column = (name: string, datatype: string, data: unknown[]) => ({
      name,
      datatype,
      shape: [n],
      data,
    });
    return {
      model_name: model,
      model_version: result.version,
      id: requestId,
      parameters: {
        deployment_id: result.deploymentId,
        arm: result.arm,
        artifact_digest: result.artifactDigest,
        threshold: result.threshold,
      },
      outputs: [
        column(
          'score',
          'FP64',
          result.predictions.map((p) => p.score),
        ),
        column(
          'decision',
          'BYTES',
          result.predictions.map((p) => p.decision),
        ),
        column(
          'label',
          'BYTES',
          result.predictions.map((p) => p.label),
        ),
        column(
          'receipt_id',
          'BYTES',
          result.predictions.map((p) => p.receiptId),
        ),
      ],
    };
  }

  @Get(':model')
  @ApiOperation({
    summary: 'Open Inference Protocol model metadata: the served version and its features',
  })
  @ApiOkResponse({ type: ModelMetadataResponse })
  @ApiProblems(400, 401, 403, 404, 409)
  async metadata(@Param() { model }: OipModelPath): Promise<ModelMetadataResponse> {
    const served = await this.resolver.describe(oipDeployment(model));
    return {
      name: model,
      versions: [served.version],
      platform: 'onnxruntime_onnx',
      inputs: served.features.map((feature) => ({
        name: feature.name,
        datatype: feature.kind === 'text' ? 'BYTES' : feature.integer ? 'INT64' : 'FP64',
        shape: [-1],
      })),
      outputs: [
        { name: 'score', datatype: 'FP64', shape: [-1] },
        { name: 'decision', datatype: 'BYTES', shape: [-1] },
        { name: 'label', datatype: 'BYTES', shape: [-1] },
        { name: 'receipt_id', datatype: 'BYTES', shape: [-1] },
      ],
      parameters: {
        deployment_id: served.deploymentId,
        artifact_digest: served.artifactDigest,
        threshold: served.threshold,
      },
    };
  }

  @Get(':model/ready')
  @ApiOperation({
    summary:
      'Open Inference Protocol readiness: 200 when the deployment serves a version with a stored artifact (404/409 otherwise)',
  })
  @ApiOkResponse({ type: ModelReadyResponse })
  @ApiProblems(400, 401, 403, 404, 409)
  async ready(@Param() { model }: OipModelPath): Promise<ModelReadyResponse> {
    await this.resolver.describe(oipDeployment(model));
    return { name: model, ready: true };
  }
}

/**
 * An inference request's inputs as rows of named features. Each input is a feature ([N] or
 * [N, 1]) or one of the model's ONNX inputs with all its columns ([N, k]); every input has the
 * same N. Errors name `inputs.<j>.…`; values are checked by validateRows afterwards.
 */
export function rowsOf(model: ServedModel, body: InferRequest): Record<string, unknown>[] {
  const errors: Record<string, string[]> = {};
  const features = new Set(model.features.map((feature) => feature.name));
  const given = new Map<string, { values: unknown[]; input: number; width: number; at: number }>();
  let rows: number | undefined;
  body.inputs.forEach((input, j) => {
    const columns = features.has(input.name) ? [input.name] : model.scoring.columns[input.name];
    if (columns === undefined) {
      errors[`inputs.${j}.name`] = [
        `${input.name} is not a feature or input of the served version`,
      ];
      return;
    }
    const names = typeof columns === 'string' ? [columns] : columns;
    const [n, width = 1] = input.shape;
    if (width !== names.length) {
      errors[`inputs.${j}.shape`] = [
        `${input.name} takes ${names.length} column(s): shape [N, ${names.length}]`,
      ];
      return;
    }
    if (n < 1 || n > MAX_ROWS || (rows !== undefined && n !== rows)) {
      errors[`inputs.${j}.shape`] = [
        rows !== undefined && n !== rows
          ? `every input must have the same N (${rows})`
          : `N must be 1 to ${MAX_ROWS}`,
      ];
      return;
    }
    rows = n;
    const data = input.data.flat(2);
    if (data.length !== n * width) {
      errors[`inputs.${j}.data`] = [`holds ${data.length} values, the shape ${n * width}`];
      return;
    }
    names.forEach((name, at) => {
      if (given.has(name)) errors[`inputs.${j}.name`] = [`${name} is given twice`];
      else given.set(name, { values: data, input: j, width, at });
    });
  });
  for (const name of features) {
    if (!given.has(name) && Object.keys(errors).length === 0) {
      (errors.inputs ??= []).push(`no input gives the feature ${name}`);
    }
  }
  if (Object.keys(errors).length > 0 || rows === undefined) {
    throw new InvalidRequest('inputs do not fit the served version', errors);
  }
  const out: Record<string, unknown>[] = [];
  for (let i = 0; i < rows; i++) {
    const row: Record<string, unknown> = {};
    for (const [name, { values, width, at }] of given) row[name] = values[i * width + at];
    out.push(row);
  }
  try {
    validateRows(model, out);
  } catch (error) {
    if (!(error instanceof InvalidRequest)) throw error;
    // rows.<i>.<feature> → the value's place in its input's data.
    const fields: Record<string, string[]> = {};
    for (const [key, messages] of Object.entries(error.fields)) {
      const [, row, feature] = /^rows\.(\d+)\.(.+)$/.exec(key) ?? [];
      const from = feature === undefined ? undefined : given.get(feature);
      const at = from
        ? `inputs.${from.input}.data.${Number(row) * from.width + from.at}`
        : 'inputs';
      fields[at] = messages.map((message) =>
        from && from.width > 1 ? `${feature}: ${message}` : message,
      );
    }
    throw new InvalidRequest('inputs do not fit the served version', fields);
  }
  return out;
}
