/**
 * Where a definition's top-level steps are in its text, for the editor to put a step's lines
 * under the cursor or a test failure at the step it concerns.
 */
import type { WorkflowDefinition } from '../model/workflow.js';
import { parseYamlText } from '../parse/parse-yaml.js';

/** Each step's lines in a definition's text (1-based, first and last). */
export function stepLines(
  source: string,
  definition: WorkflowDefinition,
): { [step: string]: { line: number; endLine: number } } {
  const { locator } = parseYamlText(source);
  const lines: { [step: string]: { line: number; endLine: number } } = {};
  definition.steps.forEach((step, index) => {
    const node = locator.node(['steps', index]);
    if (!node?.range) return;
    // The node ends where the next one starts: its last line is the one before, unless empty.
    const start = locator.position(node.range[0]);
    const end = locator.position(Math.max(node.range[0], node.range[1] - 1));
    lines[step.id] = { line: start.line, endLine: end.line };
  });
  return lines;
}

/**
 * The lines of the top-level step a step path (`summarize`, `each[2]/inner`) runs under, if the
 * definition has it.
 */
export function topLevelStepLines(
  lines: { readonly [step: string]: { line: number; endLine: number } },
  path: string,
): { line: number; endLine: number } | undefined {
  const top = /^[^/[]+/.exec(path)?.[0];
  return top === undefined ? undefined : lines[top];
}
