import type { OpenAPIObject } from '@nestjs/swagger';
import { withNullablesForOpenApi30 } from './nullable';

const NULL_ONLY = { type: 'object', nullable: true, enum: [null] };

function documentWith(properties: Record<string, unknown>, example?: unknown): OpenAPIObject {
  return {
    openapi: '3.0.0',
    info: { title: 't', version: '1' },
    paths: {
      '/a': {
        get: {
          responses: {
            '200': {
              description: 'ok',
              content: {
                'application/json': {
                  schema: { $ref: '#/components/schemas/View' },
                  ...(example === undefined ? {} : { example }),
                },
              },
            },
          },
        },
      },
    },
    components: { schemas: { View: { type: 'object', properties } } },
  } as OpenAPIObject;
}

function propertiesOf(document: OpenAPIObject): Record<string, unknown> {
  return (document.components?.schemas?.View as { properties: Record<string, unknown> }).properties;
}

describe('withNullablesForOpenApi30', () => {
  it('turns a nullable reference into oneOf [$ref, null-only], keeping its description', () => {
    const document = withNullablesForOpenApi30(
      documentWith({
        cause: {
          nullable: true,
          description: 'The signal',
          type: 'object',
          allOf: [{ $ref: '#/components/schemas/Signal' }],
        },
        items: {
          type: 'array',
          items: { nullable: true, type: 'object', allOf: [{ $ref: '#/components/schemas/S' }] },
        },
      }),
    );
    expect(propertiesOf(document)).toEqual({
      cause: {
        description: 'The signal',
        oneOf: [{ $ref: '#/components/schemas/Signal' }, NULL_ONLY],
      },
      items: { type: 'array', items: { oneOf: [{ $ref: '#/components/schemas/S' }, NULL_ONLY] } },
    });
  });

  it('lists null among the values of a nullable enum, once', () => {
    const document = withNullablesForOpenApi30(
      documentWith({
        severity: { type: 'string', nullable: true, enum: ['low', 'high'] },
        kind: { type: 'string', nullable: true, enum: ['drift', null] },
        status: { type: 'string', enum: ['open'] },
      }),
    );
    expect(propertiesOf(document)).toEqual({
      severity: { type: 'string', nullable: true, enum: ['low', 'high', null] },
      kind: { type: 'string', nullable: true, enum: ['drift', null] },
      status: { type: 'string', enum: ['open'] },
    });
  });

  it('leaves examples alone, and a property named example is still a schema', () => {
    const example = { cause: { nullable: true, allOf: [{ $ref: 'x' }] } };
    const document = withNullablesForOpenApi30(
      documentWith(
        { example: { type: 'string', nullable: true, enum: ['a'] }, plain: { type: 'string' } },
        example,
      ),
    );
    const media = (
      document.paths['/a'].get?.responses['200'] as { content: Record<string, unknown> }
    ).content['application/json'] as { example: unknown };
    expect(media.example).toEqual({ cause: { nullable: true, allOf: [{ $ref: 'x' }] } });
    expect(propertiesOf(document)).toEqual({
      example: { type: 'string', nullable: true, enum: ['a', null] },
      plain: { type: 'string' },
    });
  });
});
