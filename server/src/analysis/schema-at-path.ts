/**
 * Reads the workflow JSON Schema along a document path: which keys a mapping may have, what a key
 * means (its `description`, shown on hover), which values it allows. The schema is the single
 * source of structure, so completion and hover can never disagree with validation.
 */
import { WORKFLOW_SCHEMA } from '../../../core/src/format/schema.js';
import type { JsonPath } from '../../../core/src/parse/source-locator.js';

export type SchemaNode = Readonly<Record<string, unknown>>;

const definitions = WORKFLOW_SCHEMA['definitions'] as Record<string, SchemaNode>;

/** The schema that applies at `path`, with `$ref`s resolved; undefined where nothing applies. */
export function schemaAt(path: JsonPath): SchemaNode | undefined {
  let node: SchemaNode | undefined = WORKFLOW_SCHEMA;
  for (const segment of path) {
    if (!node) return undefined;
    node = childSchema(node, segment);
  }
  return node && resolve(node);
}

/** The properties a mapping at this schema may have (from every object branch of a `oneOf`). */
export function propertiesOf(schema: SchemaNode): Record<string, SchemaNode> {
  const resolved = resolve(schema);
  const out: Record<string, SchemaNode> = {
    ...((resolved['properties'] as Record<string, SchemaNode> | undefined) ?? {}),
  };
  for (const branch of branches(resolved)) {
    Object.assign(out, (branch['properties'] as Record<string, SchemaNode> | undefined) ?? {});
  }
  return out;
}

/** The values an `enum` (directly or in a `oneOf` branch) allows here. */
export function enumValues(schema: SchemaNode): unknown[] {
  const resolved = resolve(schema);
  const own = Array.isArray(resolved['enum']) ? (resolved['enum'] as unknown[]) : [];
  return [
    ...own,
    ...branches(resolved).flatMap((b) => (Array.isArray(b['enum']) ? b['enum'] : [])),
  ];
}

/** The JSON types the schema accepts (from `type` and `oneOf` branches). */
export function typesOf(schema: SchemaNode): string[] {
  const resolved = resolve(schema);
  const own = typeof resolved['type'] === 'string' ? [resolved['type']] : [];
  return [
    ...own,
    ...branches(resolved).flatMap((b) => (typeof b['type'] === 'string' ? [b['type']] : [])),
  ];
}

/** The human description of a schema node (its own, else its `$ref` target's). */
export function descriptionOf(schema: SchemaNode): string | undefined {
  const resolved = resolve(schema);
  const text = resolved['markdownDescription'] ?? resolved['description'];
  return typeof text === 'string' ? text : undefined;
}

/** Follows a `$ref`, keeping the referring node's own keywords (its description wins). */
export function resolve(schema: SchemaNode): SchemaNode {
  const ref = schema['$ref'];
  if (typeof ref !== 'string' || !ref.startsWith('#/definitions/')) return schema;
  const target = definitions[ref.slice('#/definitions/'.length)] ?? {};
  const { $ref: _ref, ...own } = schema;
  return { ...resolve(target), ...own };
}

function childSchema(schema: SchemaNode, segment: string | number): SchemaNode | undefined {
  const resolved = resolve(schema);
  if (typeof segment === 'number') {
    const items = resolved['items'] ?? branches(resolved).find((b) => b['items'])?.['items'];
    return isSchema(items) ? items : undefined;
  }
  const property = propertiesOf(resolved)[segment];
  if (property) return property;
  const additional = resolved['additionalProperties'];
  return isSchema(additional) ? additional : undefined;
}

function branches(schema: SchemaNode): SchemaNode[] {
  const oneOf = schema['oneOf'];
  return Array.isArray(oneOf) ? oneOf.filter(isSchema).map(resolve) : [];
}

function isSchema(value: unknown): value is SchemaNode {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
