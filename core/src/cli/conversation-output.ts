/**
 * The conversation of an `llm` step with tools, for `lockstep inspect`: each turn's path, then
 * each tool call it made (tool, arguments, and its result or why it was refused) or the model's
 * text, every value cut to one short line.
 */
import type { StepRecord } from '../model/runs.js';
import type { Output } from './output.js';

interface RecordedCall {
  readonly tool?: string;
  readonly arguments?: unknown;
  readonly result?: unknown;
  readonly error?: string;
}

interface RecordedTurn {
  readonly path?: string;
  readonly text?: string;
  readonly tool_calls?: readonly RecordedCall[];
}

/** Prints the step's conversation under its line, when it recorded one. */
export function printConversation(output: Output, step: StepRecord): void {
  const conversation = (step.input as { conversation?: unknown } | null | undefined)
    ?.conversation as { turns?: readonly RecordedTurn[]; invalid_calls?: number } | undefined;
  if (!conversation || !Array.isArray(conversation.turns)) return;
  for (const turn of conversation.turns as readonly RecordedTurn[]) {
    const label = `    ${String(turn.path ?? '').padEnd(26)} `;
    const calls = turn.tool_calls ?? [];
    if (calls.length === 0) {
      output.out(`${label}"${short(turn.text ?? '', 60)}"`);
      continue;
    }
    calls.forEach((call, i) => {
      const start = i === 0 ? label : ' '.repeat(label.length);
      const outcome =
        call.error !== undefined
          ? `  ✗ ${short(call.error, 60)}`
          : call.result !== undefined
            ? ` = ${short(JSON.stringify(call.result), 50)}`
            : '  (not run)';
      output.out(`${start}→ ${call.tool}(${short(JSON.stringify(call.arguments), 40)})${outcome}`);
    });
  }
  if (conversation.invalid_calls) {
    output.out(
      `    ${conversation.invalid_calls} tool call(s) refused (invalid arguments or tool)`,
    );
  }
}

function short(text: string, max: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
