/**
 * The fields known to exist in a step's output, offered after `steps.<id>.output.`: an http
 * step's response, an llm step's JSON Schema properties, a transform's mapping keys, a called
 * workflow's outputs.
 */
import { isMap, isScalar, type Node } from 'yaml';
import type { FeatureContext } from '../analysis/feature-context.js';
import { scalarValue, type OutlineStep } from '../analysis/outline.js';

/** The fields known to exist under `steps.<id>.output.<path…>`. */
export function outputFields(
  context: FeatureContext,
  step: OutlineStep,
  path: readonly string[],
): string[] {
  const node = step.node;
  switch (step.kind) {
    case 'http':
      return path.length === 0 ? ['status', 'headers', 'body'] : [];
    case 'llm': {
      if (scalarValue(node, 'llm', 'output') !== 'json') return [];
      let schema = plain(node?.getIn(['llm', 'schema'], true) as Node | undefined);
      for (const name of path) schema = propertyOf(schema, name);
      return propertyNames(schema);
    }
    case 'transform': {
      let value = node?.get('transform', true) as Node | undefined;
      for (const name of path) value = isMap(value) ? (value.get(name, true) as Node) : undefined;
      return isMap(value)
        ? value.items.flatMap((p) => (isScalar(p.key) ? [String(p.key.value)] : []))
        : [];
    }
    case 'workflow': {
      const name = scalarValue(node, 'workflow', 'name');
      if (path.length > 0 || typeof name !== 'string') return [];
      const callee = context.files().find((f) => f.validated.summary.name === name);
      const value = callee?.validated.parsed.value as { outputs?: unknown } | undefined;
      return value?.outputs && typeof value.outputs === 'object' ? Object.keys(value.outputs) : [];
    }
    default:
      return [];
  }
}

function plain(node: Node | undefined): unknown {
  try {
    return node?.toJSON();
  } catch {
    return undefined; // an alias that cannot be expanded: no fields to offer
  }
}

function propertyOf(schema: unknown, name: string): unknown {
  const properties = (schema as { properties?: Record<string, unknown> } | undefined)?.properties;
  return properties && typeof properties === 'object' ? properties[name] : undefined;
}

function propertyNames(schema: unknown): string[] {
  const properties = (schema as { properties?: unknown } | undefined)?.properties;
  return properties && typeof properties === 'object' && !Array.isArray(properties)
    ? Object.keys(properties)
    : [];
}
