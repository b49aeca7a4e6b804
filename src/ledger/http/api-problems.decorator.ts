import { applyDecorators } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';

/** RFC 9457 problem details as Attest sends them. */
export class ProblemView {
  @ApiProperty({ example: 'urn:attest:problem:invalid-request' }) type!: string;
  @ApiProperty({ example: 'Bad Request' }) title!: string;
  @ApiProperty({ example: 400 }) status!: number;
  @ApiProperty({ example: 'invalid limit' }) detail!: string;
  @ApiProperty({ description: 'Stable machine-readable code', example: 'invalid-request' })
  code!: string;
  @ApiPropertyOptional({ example: '/api/v1/ledger/events?limit=0' }) instance?: string;
  @ApiPropertyOptional({ description: 'X-Correlation-Id of the request' }) correlationId?: string;
  @ApiPropertyOptional({
    description: 'For 400: each field (or header) at fault with what is wrong with it',
    example: { limit: ['limit must not be less than 1'] },
    type: 'object',
    additionalProperties: { type: 'array', items: { type: 'string' } },
  })
  errors?: Record<string, string[]>;
}

const MEANING: Record<number, string> = {
  400: 'Invalid input; `errors` names each field at fault',
  401: 'No token, or a token that failed verification',
  403: 'The token lacks a role this route needs, or a rule forbids this caller (four eyes)',
  404: 'No such resource',
  409: 'Conflicts with what is recorded (immutable version, decided stage, moved stream, key in flight)',
  422: 'A business rule refused the command',
  503: 'Read models did not reach X-Ledger-Position in time, or the ledger is unavailable; see Retry-After',
};

/** Documents the problem+json answers a route can give. */
export function ApiProblems(...statuses: number[]): MethodDecorator & ClassDecorator {
  return applyDecorators(
    ApiExtraModels(ProblemView),
    ...statuses.map((status) =>
      ApiResponse({
        status,
        description: MEANING[status] ?? 'Problem',
        content: { 'application/problem+json': { schema: { $ref: getSchemaPath(ProblemView) } } },
      }),
    ),
  );
}
