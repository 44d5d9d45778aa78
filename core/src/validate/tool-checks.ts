/**
 * The checks of an `llm` step's tools that need more than the schema: names unique in the step,
 * `tool_choice` naming a declared tool, `parameters` a valid JSON Schema for an object, and the
 * runners' expressions (which read the arguments as `args`, and earlier steps as the step does).
 * The same runner bodies of steps are checked here too (`checkRunner`); a `workflow` body's call
 * joins the workspace-level checks of calls.
 */
import { userSchemaProblem } from '../format/ajv.js';
import { schemaOf } from '../model/file-refs.js';
import type { DiagnosticCode, Range } from '../model/diagnostics.js';
import {
  TOOL_CHOICE_MODES,
  type JsonValue,
  type StepDefinition,
  type ToolDefinition,
  type ToolRunner,
  type WorkflowCallStep,
} from '../model/workflow.js';
import type { JsonPath, SourceLocator } from '../parse/source-locator.js';
import type { ExpressionSite } from './semantic.js';
import { didYouMean, listNames } from './suggest.js';

/** What the tool checks need of the semantic checker. */
export interface ToolCheckHost {
  report(code: DiagnosticCode, path: JsonPath, message: string, range?: Range): void;
  checkExpressionsIn(value: JsonValue | undefined, path: JsonPath, site: ExpressionSite): void;
  recordCall(call: WorkflowCallStep, stepId: string, at: JsonPath): void;
  readonly locator: SourceLocator;
}

/**
 * Checks the tools of `step` (at `path`), whose expressions sit at `site` (the step's own).
 */
export function checkTools(
  host: ToolCheckHost,
  step: StepDefinition,
  path: JsonPath,
  site: ExpressionSite,
): void {
  const llm = step.llm!;
  const tools = llm.tools ?? [];
  const first = new Map<string, number>();
  tools.forEach((tool, index) => {
    const at = [...path, 'llm', 'tools', index];
    const earlier = first.get(tool.name);
    if (earlier === undefined) first.set(tool.name, index);
    else {
      host.report(
        'duplicate-tool-name',
        [...at, 'name'],
        `the tool name '${tool.name}' is already used by tools[${earlier}]; tool names must be unique in a step`,
      );
    }
    checkParameters(host, tool, at);
    checkRunner(host, tool, step.id, at, {
      ...site,
      toolArgs: argumentNames(schemaOf(tool.parameters)),
    });
  });
  const choice = llm.tool_choice;
  if (
    choice !== undefined &&
    !(TOOL_CHOICE_MODES as readonly string[]).includes(choice) &&
    !first.has(choice)
  ) {
    const names = [...first.keys()];
    host.report(
      'unknown-tool',
      [...path, 'llm', 'tool_choice'],
      `tool_choice '${choice}' is not auto, none or a tool of this step${didYouMean(choice, names)}; tools: ${listNames(names)}`,
    );
  }
}

function checkParameters(host: ToolCheckHost, tool: ToolDefinition, at: JsonPath): void {
  // A file reference not read (no reader, or its file has a problem reported at it): skip.
  const parameters = schemaOf(tool.parameters);
  if (parameters === undefined) return;
  const problem = userSchemaProblem(parameters);
  if (problem) {
    host.report(
      'invalid-json-schema',
      [...at, 'parameters'],
      `not a valid JSON Schema: ${problem}`,
    );
  } else if (parameters['type'] !== 'object') {
    // Both providers take a tool's arguments as one JSON object.
    host.report(
      'invalid-json-schema',
      [...at, 'parameters'],
      "a tool's parameters describe an object: give type: object (with its properties)",
    );
  }
}

/**
 * The expressions of an `http`, `transform`, `shell` or `workflow` body (a step's, or a tool's
 * runner) at `at`; a `workflow` body's call joins the workspace-level checks.
 */
export function checkRunner(
  host: ToolCheckHost,
  body: Pick<ToolDefinition, ToolRunner>,
  stepId: string,
  at: JsonPath,
  site: ExpressionSite,
): void {
  if (body.http) host.checkExpressionsIn(body.http as unknown as JsonValue, [...at, 'http'], site);
  host.checkExpressionsIn(body.transform, [...at, 'transform'], site);
  if (typeof body.shell === 'string') {
    host.checkExpressionsIn(body.shell, [...at, 'shell'], site);
  } else if (body.shell) {
    const { env, ...command } = body.shell;
    host.checkExpressionsIn(command, [...at, 'shell'], site);
    host.checkExpressionsIn(env, [...at, 'shell', 'env'], site);
  }
  if (body.workflow) {
    host.checkExpressionsIn(body.workflow.inputs, [...at, 'workflow', 'inputs'], site);
    host.recordCall(body.workflow, stepId, [...at, 'workflow']);
  }
}

/**
 * The argument names a runner may read (`args.<name>`): the schema's `properties`, when it lists
 * them and allows no others; otherwise any name (undefined).
 */
function argumentNames(parameters: ToolDefinition['parameters'] | undefined): {
  properties?: string[];
} {
  if (parameters === undefined) return {};
  const properties = parameters['properties'];
  if (
    properties === null ||
    typeof properties !== 'object' ||
    Array.isArray(properties) ||
    parameters['additionalProperties'] === true ||
    (typeof parameters['additionalProperties'] === 'object' &&
      parameters['additionalProperties'] !== null)
  ) {
    return {};
  }
  return { properties: Object.keys(properties) };
}
