/**
 * Hover: for a step reference, the step's kind and a one-line summary (model and first prompt
 * line, method and URL…); for inputs, models and workflow names, what they are; for a channel a
 * call is pinned to, where it points (channel-hover.ts); for a tool's name, its description and
 * parameters (tool-features.ts); for a key, its description from the schema.
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import { MarkupKind, type Hover } from 'vscode-languageserver';
import { nodeAtOffset } from '../../../core/src/parse/node-at-offset.js';
import type { FeatureContext } from '../analysis/feature-context.js';
import type { DocumentAnalysis } from '../analysis/document-analysis.js';
import { scalarValue, type OutlineStep } from '../analysis/outline.js';
import { descriptionOf, schemaAt } from '../analysis/schema-at-path.js';
import { symbolAt, type SymbolKindName } from '../analysis/symbol-at.js';
import { offsetsToRange } from '../lsp-ranges.js';
import { channelHover } from './channel-hover.js';
import { toolHover } from './tool-features.js';

/** How much of a prompt or URL a one-line summary shows. */
const SUMMARY_LENGTH = 80;

/** The hover at `offset`, or null where there is nothing to say. */
export async function hover(context: FeatureContext, offset: number): Promise<Hover | null> {
  const channel = await channelHover(context, offset);
  if (channel) return channel;
  const { analysis } = context;
  const tool = toolHover(analysis, offset);
  if (tool) {
    return {
      contents: { kind: MarkupKind.Markdown, value: tool.markdown },
      range: offsetsToRange(analysis.document, tool.start, tool.end),
    };
  }
  const symbol = symbolAt(analysis, offset);
  const markdown = symbol
    ? describeSymbol(context, symbol.kind, symbol.name)
    : keyDescription(analysis, offset);
  if (markdown === undefined) return null;
  const range = symbol ? offsetsToRange(analysis.document, symbol.start, symbol.end) : undefined;
  return {
    contents: { kind: MarkupKind.Markdown, value: markdown },
    ...(range ? { range } : {}),
  };
}

function describeSymbol(
  context: FeatureContext,
  kind: SymbolKindName,
  name: string,
): string | undefined {
  const { outline } = context.analysis;
  switch (kind) {
    case 'step': {
      const step = outline.steps.find((s) => s.id === name);
      return step ? stepSummary(step) : undefined;
    }
    case 'input': {
      const input = outline.inputs.find((i) => i.name === name);
      if (!input) return undefined;
      const type = scalarValue(input.value, 'type');
      const description = scalarValue(input.value, 'description');
      return [
        `**input** \`${name}\`${typeof type === 'string' ? `: ${type}` : ''}`,
        ...(typeof description === 'string' ? ['', description] : []),
      ].join('\n');
    }
    case 'model': {
      const model = outline.models.find((m) => m.name === name);
      if (!model) return undefined;
      const provider = scalarValue(model.value, 'provider');
      const id = scalarValue(model.value, 'model');
      const baseUrl = scalarValue(model.value, 'base_url');
      return `**model** \`${name}\`: ${[provider, id].filter((v) => typeof v === 'string').join(' ')}${typeof baseUrl === 'string' ? ` at ${baseUrl}` : ''}`;
    }
    case 'workflow': {
      const files = context.files().filter((f) => f.validated.summary.name === name);
      if (files.length === 0) return `**workflow** \`${name}\`: not found in this workspace`;
      return files
        .map((file) => {
          const value = file.validated.parsed.value;
          const description =
            value !== null && typeof value === 'object' && 'description' in value
              ? (value as { description?: unknown }).description
              : undefined;
          return `**workflow** \`${name}\` (${context.scope.describe(file.key)})${typeof description === 'string' ? `\n\n${description}` : ''}`;
        })
        .join('\n\n---\n\n');
    }
  }
}

/** `**llm** step \`classify\`: model \`fast\` · Classify this ticket…` */
export function stepSummary(step: OutlineStep): string {
  const head = `**${step.kind ?? 'step without a kind'}** step \`${step.id ?? `steps[${step.index}]`}\``;
  const node = step.node;
  const parts: string[] = [];
  switch (step.kind) {
    case 'llm': {
      const model = scalarValue(node, 'llm', 'model');
      if (typeof model === 'string') parts.push(`model \`${model}\``);
      const prompt = scalarValue(node, 'llm', 'prompt') ?? firstMessage(node);
      if (typeof prompt === 'string') parts.push(firstLine(prompt));
      break;
    }
    case 'http': {
      const method = scalarValue(node, 'http', 'method');
      const url = scalarValue(node, 'http', 'url');
      parts.push(
        `${typeof method === 'string' ? method : 'GET'} ${typeof url === 'string' ? firstLine(url) : ''}`.trim(),
      );
      break;
    }
    case 'transform': {
      const value = scalarValue(node, 'transform');
      parts.push(typeof value === 'string' ? firstLine(value) : 'a computed value');
      break;
    }
    case 'shell': {
      const command = scalarValue(node, 'shell') ?? scalarValue(node, 'shell', 'run');
      if (typeof command === 'string') parts.push(`\`${firstLine(command)}\``);
      break;
    }
    case 'workflow': {
      const name = scalarValue(node, 'workflow', 'name');
      const version = scalarValue(node, 'workflow', 'version');
      if (typeof name === 'string') {
        parts.push(`calls \`${name}\`${version === undefined ? '' : `@${String(version)}`}`);
      }
      break;
    }
    default:
      break;
  }
  if (step.itemName !== undefined) parts.push(`once per item (\`${step.itemName}\`)`);
  return parts.length === 0 ? head : `${head}: ${parts.join(' · ')}`;
}

function keyDescription(analysis: DocumentAnalysis, offset: number): string | undefined {
  const found = nodeAtOffset(analysis.doc, offset);
  if (found?.target !== 'key') return undefined;
  const schema = schemaAt(found.path);
  const description = schema && descriptionOf(schema);
  const key = found.path.at(-1);
  return description === undefined ? undefined : `**${String(key)}**\n\n${description}`;
}

function firstMessage(node: Node | undefined): unknown {
  const messages = isMap(node) ? node.getIn(['llm', 'messages'], true) : undefined;
  if (!isSeq(messages)) return undefined;
  const last = messages.items.at(-1);
  const content = isMap(last) ? last.get('content', true) : undefined;
  return isScalar(content) ? content.value : undefined;
}

function firstLine(text: string): string {
  const line = text.trim().split('\n')[0] ?? '';
  return line.length > SUMMARY_LENGTH ? `${line.slice(0, SUMMARY_LENGTH - 1)}…` : line;
}
