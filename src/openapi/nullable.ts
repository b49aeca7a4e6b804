import type { OpenAPIObject } from '@nestjs/swagger';

type Node = Record<string, unknown>;

/**
 * The only value this schema allows is `null`: the way OpenAPI 3.0 lets a `$ref` be null (3.0
 * has no `type: 'null'`, and `nullable` applies only to a `type` beside it).
 */
const NULL_ONLY = { type: 'object', nullable: true, enum: [null] } as const;

function isNode(value: unknown): value is Node {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Makes the schemas @nestjs/swagger writes for nullable properties mean what they say under
 * OpenAPI 3.0, as validators (Redocly's, Ajv's) and client generators read them:
 *
 * - `@ApiProperty({ type: View, nullable: true })` comes out as
 *   `{ nullable: true, type: 'object', allOf: [{ $ref }] }`, which refuses `null` (`allOf` still
 *   applies the referenced schema to it). It becomes `{ oneOf: [{ $ref }, NULL_ONLY] }`, keeping
 *   the description and other annotations.
 * - A nullable enum must list `null` among its values, or `null` fails the enum.
 *
 * Everything else is left as it is.
 */
export function withNullablesForOpenApi30(document: OpenAPIObject): OpenAPIObject {
  visit(document as unknown as Node);
  return document;
}

function visit(node: Node, isPropertyMap = false): void {
  for (const [key, value] of Object.entries(node)) {
    // An example is data, not a schema: never rewritten (a property may still be named so).
    if (!isPropertyMap && (key === 'example' || key === 'examples')) continue;
    if (Array.isArray(value)) {
      value.forEach((item, index) => {
        if (isNode(item)) {
          value[index] = fixed(item);
          visit(value[index] as Node);
        }
      });
    } else if (isNode(value)) {
      node[key] = fixed(value);
      visit(node[key] as Node, key === 'properties' && !isPropertyMap);
    }
  }
}

function fixed(schema: Node): Node {
  if (schema.nullable !== true) return schema;
  const allOf = schema.allOf;
  if (Array.isArray(allOf) && allOf.length === 1 && isNode(allOf[0]) && '$ref' in allOf[0]) {
    const { nullable: _nullable, type: _type, allOf: _allOf, ...annotations } = schema;
    return { ...annotations, oneOf: [allOf[0], { ...NULL_ONLY, enum: [null] }] };
  }
  if (Array.isArray(schema.enum) && !schema.enum.includes(null)) {
    return { ...schema, enum: [...(schema.enum as unknown[]), null] };
  }
  return schema;
}
