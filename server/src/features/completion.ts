/**
 * Completion: keys the schema allows at the cursor (step kinds among them), values for enums,
 * model names, workflow names and channels, `tool_choice` (auto, none, the step's tools), and
 * inside `${{ … }}` the names in scope there: inputs, earlier steps and their output fields, the
 * foreach item and `index`, a tool's `args`, allow-listed env variables and the secret names the
 * workspace already uses (names only, never values).
 */
import {
  CompletionItemKind,
  MarkupKind,
  type CompletionItem,
  type Range,
} from 'vscode-languageserver';
import { STEP_KINDS, TOOL_ARGS_NAME, TOOL_RUNNERS } from '../../../core/src/model/workflow.js';
import type { JsonPath } from '../../../core/src/parse/source-locator.js';
import type { FeatureContext } from '../analysis/feature-context.js';
import { scalarValue } from '../analysis/outline.js';
import {
  descriptionOf,
  enumValues,
  propertiesOf,
  schemaAt,
  typesOf,
  type SchemaNode,
} from '../analysis/schema-at-path.js';
import { offsetsToRange } from '../lsp-ranges.js';
import { completionSite, type CompletionSite } from './completion-context.js';
import { outputFields } from './output-fields.js';
import { toolChoiceValues } from './tool-features.js';

/** Keys that only apply to a step with `foreach` (the schema's `dependencies`). */
const FOREACH_KEYS = new Set(['as', 'key', 'concurrency']);
const KINDS = new Set<string>(STEP_KINDS);
/** Keys of an `llm` step that only apply with `tools`. */
const TOOL_LOOP_KEYS = new Set(['max_turns', 'tool_choice', 'concurrency']);
const RUNNERS = new Set<string>(TOOL_RUNNERS);

export interface CompletionRequest {
  readonly offset: number;
  /** The character that triggered the request, if one did. */
  readonly triggerCharacter?: string | undefined;
}

/** The completion items at the request's offset (none where nothing can be completed). */
export async function completion(
  context: FeatureContext,
  request: CompletionRequest,
): Promise<CompletionItem[]> {
  const { analysis } = context;
  const site = completionSite(analysis.doc, analysis.text, request.offset);
  if (!site) return [];
  const range = offsetsToRange(analysis.document, site.start, site.end);
  switch (site.kind) {
    case 'key':
      // A space typed in the indentation is not a request for keys.
      return request.triggerCharacter === ' ' ? [] : keyItems(site, range);
    case 'value':
      return valueItems(context, site.path, range);
    case 'expression':
      return expressionItems(context, site, range);
  }
}

function keyItems(site: Extract<CompletionSite, { kind: 'key' }>, range: Range): CompletionItem[] {
  const schema = schemaAt(site.mapPath);
  if (!schema) return [];
  const properties = propertiesOf(schema);
  const isStep = 'id' in properties && 'llm' in properties;
  const hasKind = site.existing.some((key) => KINDS.has(key));
  // A tool takes one runner, as a step takes one kind; an llm step's loop keys need `tools`.
  const isTool = 'parameters' in properties && 'transform' in properties;
  const hasRunner = site.existing.some((key) => RUNNERS.has(key));
  const isLlm = 'tools' in properties && 'model' in properties;
  return Object.entries(properties)
    .filter(([key]) => !site.existing.includes(key))
    .filter(([key]) => !isStep || !KINDS.has(key) || !hasKind)
    .filter(([key]) => !isStep || !FOREACH_KEYS.has(key) || site.existing.includes('foreach'))
    .filter(([key]) => !isTool || !RUNNERS.has(key) || !hasRunner)
    .filter(([key]) => !isLlm || !TOOL_LOOP_KEYS.has(key) || site.existing.includes('tools'))
    .map(([key, property], index) => {
      const runner = isTool && RUNNERS.has(key);
      const kind = (isStep && KINDS.has(key)) || runner;
      const description = descriptionOf(property);
      return {
        label: key,
        kind: kind ? CompletionItemKind.Module : CompletionItemKind.Property,
        detail: runner
          ? 'tool runner'
          : kind
            ? 'step kind'
            : typesOf(property).join(' | ') || undefined,
        ...(description ? { documentation: markdown(description) } : {}),
        textEdit: { range, newText: `${key}: ` },
        // Required keys and step kinds first, then the schema's order.
        sortText: `${isRequired(schema, key) || kind ? '0' : '1'}${String(index).padStart(3, '0')}`,
      } satisfies CompletionItem;
    });
}

async function valueItems(
  context: FeatureContext,
  path: JsonPath,
  range: Range,
): Promise<CompletionItem[]> {
  const { outline } = context.analysis;
  const [first, second, third, fourth] = path;
  const inStep = first === 'steps' && typeof second === 'number' && path.length === 4;
  const item = (label: string, kind: CompletionItemKind, detail?: string): CompletionItem => ({
    label,
    kind,
    ...(detail ? { detail } : {}),
    textEdit: { range, newText: label },
  });
  if (inStep && third === 'llm' && fourth === 'model') {
    return outline.models.map((model) => {
      const name = scalarValue(model.value, 'model');
      return item(
        model.name,
        CompletionItemKind.Reference,
        typeof name === 'string' ? name : undefined,
      );
    });
  }
  if (inStep && third === 'llm' && fourth === 'tool_choice') {
    return toolChoiceValues(outline.steps[second]).map((value) => ({
      ...item(value.label, CompletionItemKind.EnumMember, value.detail),
      ...(value.documentation ? { documentation: markdown(value.documentation) } : {}),
    }));
  }
  if (inStep && third === 'workflow' && fourth === 'name') {
    const own = outline.name?.value;
    const names = new Set(
      context.files().flatMap((f) => (f.validated.summary.name ? [f.validated.summary.name] : [])),
    );
    return [...names]
      .filter((name) => name !== own)
      .sort()
      .map((name) => item(name, CompletionItemKind.File, 'workflow'));
  }
  if (inStep && third === 'workflow' && fourth === 'version') {
    return (await context.channels()).names.map((name) =>
      item(name, CompletionItemKind.EnumMember, 'channel'),
    );
  }
  const schema = schemaAt(path);
  if (!schema) return [];
  const values = enumValues(schema).map((value) =>
    item(String(value), CompletionItemKind.EnumMember),
  );
  if (typesOf(schema).includes('boolean')) {
    values.push(item('true', CompletionItemKind.Value), item('false', CompletionItemKind.Value));
  }
  return values;
}

function expressionItems(
  context: FeatureContext,
  site: Extract<CompletionSite, { kind: 'expression' }>,
  range: Range,
): CompletionItem[] {
  const { outline } = context.analysis;
  const [first, second] = site.valuePath;
  const stepIndex = first === 'steps' && typeof second === 'number' ? second : undefined;
  const inModels = first === 'models';
  const current = stepIndex === undefined ? undefined : outline.steps[stepIndex];
  // A step's `when` and `foreach` run before any iteration: its item is not in scope there.
  const header = site.valuePath[2] === 'when' || site.valuePath[2] === 'foreach';
  const itemName = current?.itemName !== undefined && !header ? current.itemName : undefined;
  const readable = outline.steps.filter(
    (step) =>
      step.id !== undefined && !inModels && (stepIndex === undefined || step.index < stepIndex),
  );
  const item = (
    label: string,
    kind: CompletionItemKind,
    detail?: string,
    documentation?: string,
  ): CompletionItem => ({
    label,
    kind,
    ...(detail ? { detail } : {}),
    ...(documentation ? { documentation: markdown(documentation) } : {}),
    textEdit: { range, newText: label },
  });

  // Inside a tool's runner (`steps[i].llm.tools[j].<runner>…`) the arguments are in scope.
  const inTool = site.valuePath[2] === 'llm' && site.valuePath[3] === 'tools';
  const [root, ...rest] = site.chain;
  if (root === undefined) {
    return [
      ...(inTool
        ? [item(TOOL_ARGS_NAME, CompletionItemKind.Variable, 'the arguments the model gave')]
        : []),
      item('inputs', CompletionItemKind.Module, 'the workflow’s inputs'),
      item('steps', CompletionItemKind.Module, 'results of earlier steps'),
      item('env', CompletionItemKind.Module, 'allow-listed environment variables'),
      item('secrets', CompletionItemKind.Module, 'secrets, resolved at run time'),
      ...(itemName === undefined
        ? []
        : [
            item(itemName, CompletionItemKind.Variable, 'the current foreach item'),
            item('index', CompletionItemKind.Variable, 'the current item’s position'),
          ]),
    ];
  }
  if (root === 'inputs' && rest.length === 0) {
    return outline.inputs.map((input) => {
      const type = scalarValue(input.value, 'type');
      const description = scalarValue(input.value, 'description');
      return item(
        input.name,
        CompletionItemKind.Field,
        typeof type === 'string' ? type : undefined,
        typeof description === 'string' ? description : undefined,
      );
    });
  }
  if (root === 'steps') {
    if (rest.length === 0) {
      return readable.map((step) => item(step.id!, CompletionItemKind.Function, step.kind));
    }
    const step = readable.find((s) => s.id === rest[0]);
    if (!step) return [];
    if (rest.length === 1) return [item('output', CompletionItemKind.Field, 'the step’s result')];
    if (rest[1] !== 'output') return [];
    return outputFields(context, step, rest.slice(2)).map((name) =>
      item(name, CompletionItemKind.Field),
    );
  }
  if (root === 'env' && rest.length === 0) {
    return context.scope.settings.envAllowList.map((name) =>
      item(name, CompletionItemKind.Variable, 'env.allow in .lockstep/config.yaml'),
    );
  }
  if (root === 'secrets' && rest.length === 0) {
    return context.scope.settings.secretNames.map((name) =>
      item(name, CompletionItemKind.Constant, 'secrets in .lockstep/config.yaml'),
    );
  }
  return [];
}

function isRequired(schema: SchemaNode, key: string): boolean {
  return Array.isArray(schema['required']) && (schema['required'] as unknown[]).includes(key);
}

function markdown(value: string): { kind: 'markdown'; value: string } {
  return { kind: MarkupKind.Markdown, value };
}
