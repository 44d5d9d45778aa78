/** A missing required key: inserted where its mapping starts, with a value the schema accepts. */
import { isMap, isPair, type Node } from 'yaml';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver';
import type { JsonPath } from '../../../../core/src/parse/source-locator.js';
import { messageOf, parsePath } from '../../analysis/diagnostic-message.js';
import type { FeatureContext } from '../../analysis/feature-context.js';
import { enumValues, schemaAt, typesOf } from '../../analysis/schema-at-path.js';
import { quickFix } from './quick-fix.js';

const MISSING_KEY = /^(.*): missing required key '([^']+)'$/;

/** Inserts the key a `schema` diagnostic says is missing; undefined for other schema problems. */
export function insertMissingKey(
  context: FeatureContext,
  diagnostic: Diagnostic,
): CodeAction | undefined {
  const missing = MISSING_KEY.exec(messageOf(diagnostic));
  const path = missing && parsePath(missing[1]!, context.analysis.outline.steps);
  if (!missing || !path) return undefined;
  const key = missing[2]!;
  const { doc, document, text } = context.analysis;
  const node = (path.length === 0 ? doc.contents : doc.getIn(path, true)) as Node | null;
  if (!isMap(node) || !node.range) return undefined;
  const value = placeholder(context, path, key);
  const firstKey = node.items.find(isPair)?.key as Node | null | undefined;
  let edit: TextEdit;
  if (firstKey?.range) {
    const offset = firstKey.range[0];
    const position = document.positionAt(offset);
    const column = offset - document.offsetAt({ line: position.line, character: 0 });
    // Before the first key, at its column: in a block mapping the new key gets its own line,
    // in a flow mapping (`{ a: 1 }`) it joins the others.
    const newText = node.flow ? `${key}: ${value}, ` : `${key}: ${value}\n${' '.repeat(column)}`;
    edit = { range: { start: position, end: position }, newText };
  } else {
    if (node.flow || text.trim() !== '') return undefined;
    const start = document.positionAt(0);
    edit = { range: { start, end: start }, newText: `${key}: ${value}\n` };
  }
  return quickFix(context, `Add the missing key '${key}'`, diagnostic, [edit]);
}

/** A value that satisfies the schema for a freshly inserted key, as single-line YAML. */
function placeholder(context: FeatureContext, path: JsonPath, key: string): string {
  const { outline } = context.analysis;
  if (path.length === 0 && key === 'name') {
    // The file name is usually the workflow's name: support-triage.workflow.yaml.
    const base = /([^/\\]+?)\.workflow\.ya?ml$/.exec(context.uri)?.[1];
    const name = base
      ?.toLowerCase()
      .replace(/[^a-z0-9._-]+/g, '-')
      .replace(/^[^a-z0-9]+|[^a-z0-9]+$/g, '');
    return name || 'my-workflow';
  }
  if (path.length === 0 && key === 'steps') return "[{ id: first, transform: '' }]";
  if (key === 'id' && path[0] === 'steps') {
    const used = new Set(outline.steps.map((s) => s.id));
    let n = typeof path[1] === 'number' ? path[1] + 1 : 1;
    while (used.has(`step${n}`)) n++;
    return `step${n}`;
  }
  if (key === 'model' && path.at(-1) === 'llm') return outline.models[0]?.name ?? "''";
  const schema = schemaAt([...path, key]);
  if (!schema) return "''";
  const allowed = enumValues(schema)[0];
  if (allowed !== undefined) return String(allowed);
  const types = typesOf(schema);
  if (types.includes('integer') || types.includes('number')) return '1';
  if (types.includes('boolean')) return 'false';
  if (types.includes('array')) return '[]';
  if (types.includes('object')) return '{}';
  return "''";
}
