/**
 * What the editor knows about an `llm` step's tools: their names (completed in `tool_choice`,
 * with `auto` and `none`), and a hover on a tool's name (where it is declared, or named in
 * `tool_choice`) that shows its description, its runner and its parameters.
 */
import { isMap, isScalar, isSeq, stringify, type YAMLMap } from 'yaml';
import { TOOL_CHOICE_MODES, TOOL_RUNNERS } from '../../../core/src/model/workflow.js';
import { nodeAtOffset } from '../../../core/src/parse/node-at-offset.js';
import type { DocumentAnalysis } from '../analysis/document-analysis.js';
import type { OutlineStep } from '../analysis/outline.js';

/** A tool as the document declares it (as far as it can be read while being edited). */
export interface OutlineTool {
  readonly name: string;
  readonly description?: string;
  readonly runner?: string;
  readonly node: YAMLMap;
}

/** The tools of a step's `llm.tools`, in order (those without a string name left out). */
export function toolsOf(step: OutlineStep | undefined): OutlineTool[] {
  const tools = step?.node?.getIn(['llm', 'tools'], true);
  if (!isSeq(tools)) return [];
  return tools.items.flatMap((item) => {
    if (!isMap(item)) return [];
    const name = item.get('name');
    if (typeof name !== 'string') return [];
    const description = item.get('description');
    const runner = TOOL_RUNNERS.find((kind) => item.has(kind));
    return [
      {
        name,
        node: item,
        ...(typeof description === 'string' ? { description } : {}),
        ...(runner ? { runner } : {}),
      },
    ];
  });
}

/** What `tool_choice` may be: `auto`, `none`, then the step's tools (with their descriptions). */
export function toolChoiceValues(
  step: OutlineStep | undefined,
): { label: string; detail: string; documentation?: string }[] {
  return [
    ...TOOL_CHOICE_MODES.map((mode) => ({
      label: mode,
      detail: mode === 'auto' ? 'the model decides' : 'no tool calls',
    })),
    ...toolsOf(step).map((tool) => ({
      label: tool.name,
      detail: `tool${tool.runner ? ` (${tool.runner})` : ''}`,
      ...(tool.description ? { documentation: tool.description } : {}),
    })),
  ];
}

/**
 * The hover for a tool's name at `offset` (its `name:` value, or a tool named by `tool_choice`),
 * with the offsets it covers; undefined elsewhere.
 */
export function toolHover(
  analysis: DocumentAnalysis,
  offset: number,
): { markdown: string; start: number; end: number } | undefined {
  const found = nodeAtOffset(analysis.doc, offset);
  const node = found?.node;
  if (found?.target !== 'value' || !isScalar(node)) return undefined;
  const name = node.value;
  const path = found.path;
  const [first, index, llm, field] = path;
  if (first !== 'steps' || typeof index !== 'number' || llm !== 'llm') return undefined;
  const named =
    (field === 'tool_choice' && path.length === 4) ||
    (field === 'tools' && path.length === 6 && path[5] === 'name');
  if (!named || typeof name !== 'string') return undefined;
  const tool = toolsOf(analysis.outline.steps[index]).find((t) => t.name === name);
  const [start, end] = node.range ?? [offset, offset];
  return tool ? { markdown: describeTool(tool), start, end } : undefined;
}

function describeTool(tool: OutlineTool): string {
  const parameters = tool.node.get('parameters', true);
  return [
    `**tool** \`${tool.name}\`${tool.runner ? ` (${tool.runner})` : ''}`,
    ...(tool.description ? ['', tool.description] : []),
    ...(parameters
      ? ['', 'Parameters:', '', '```yaml', stringify(parameters).trimEnd(), '```']
      : []),
  ].join('\n');
}
