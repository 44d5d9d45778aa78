/**
 * Checks that need the whole definition: step references and their order, models, inputs,
 * foreach names, expression syntax, secret placement and literal credentials. Runs only on a
 * definition the schema accepted, so shapes can be trusted here.
 */
import { compileExpression, type ScopeReference } from '../expressions/references.js';
import { isTemplate, parseTemplate } from '../expressions/template.js';
import {
  foreachItemName,
  TOOL_ARGS_NAME,
  type JsonValue,
  type StepDefinition,
  type WorkflowCallStep,
  type WorkflowDefinition,
} from '../model/workflow.js';
import type { JsonPath, SourceLocator } from '../parse/source-locator.js';
import { userSchemaProblem } from '../format/ajv.js';
import { schemaOf } from '../model/file-refs.js';
import { canonicalJson } from '../hash/canonical.js';
import type { Diagnostic, DiagnosticCode, Range } from '../model/diagnostics.js';
import {
  SECRET_PLACES,
  secretPlaceholderName,
  secretsAllowedAt,
} from '../expressions/secret-places.js';
import { CHANNEL_NAME } from '../model/names.js';
import { isRuledOutput } from '../model/outputs.js';
import { formatPath } from './json-path.js';
import { findLiteralSecrets } from './literal-secrets.js';
import { providerProblems } from './provider-rules.js';
import { checkRunner, checkTools, type ToolCheckHost } from './tool-checks.js';
import { forEachString, substringRange } from './strings.js';
import { didYouMean, listNames } from './suggest.js';

/** Options that come from the workspace rather than the file. */
export interface SemanticOptions {
  /**
   * Environment variables expressions may read (`env.NAME`), from `.lockstep/config.yaml`.
   * Undefined when no store config is known (then `env.*` is not checked).
   */
  readonly envAllowList?: readonly string[] | undefined;
  /**
   * The secrets expressions may read (`secrets.NAME`), from `.lockstep/config.yaml`. Undefined
   * when no store config is known (then names are not checked, only where secrets appear).
   */
  readonly secretNames?: readonly string[] | undefined;
}

/** A call to another workflow, for the workspace-level checks. */
export interface WorkflowCall {
  readonly name: string;
  readonly stepId: string;
  readonly range: Range;
  /** Set when the call pins a version (`version: 3`): then the workspace file is not what runs. */
  readonly pinned: boolean;
  /** The channel it is pinned to (`version: production`), with where the name is. */
  readonly channel?: { readonly name: string; readonly range: Range };
  /** The inputs it gives, by name, with where each is; undefined when `inputs` is no mapping. */
  readonly inputs?: readonly CallInput[];
  /** Where a missing input is reported: the `inputs` key, or the called name without one. */
  readonly inputsRange: Range;
}

/** One input a `workflow` step gives. */
export interface CallInput {
  readonly name: string;
  /** The input's key. */
  readonly range: Range;
  /** The value as written (templates unevaluated). */
  readonly value: JsonValue;
}

export interface SemanticResult {
  readonly diagnostics: Diagnostic[];
  readonly calls: WorkflowCall[];
}

/** Where an expression sits, which decides the names it may read. */
export interface ExpressionSite {
  /** Index of the step the expression belongs to; steps before it may be read. */
  readonly stepIndex?: number;
  /** True in `outputs`, which may read every step. */
  readonly allSteps?: boolean;
  /** The foreach item name in scope (with `index`), if any. */
  readonly itemName?: string;
  /** Inside a tool's runner: `args` is in scope, with these properties when the schema lists them. */
  readonly toolArgs?: { readonly properties?: readonly string[] };
}

/** The codes reported as warnings: they do not stop a snapshot, a publication or a run. */
const WARNINGS = new Set<DiagnosticCode>(['unused-input']);

/** Runs every semantic check on a schema-valid definition. */
export function semanticDiagnostics(
  definition: WorkflowDefinition,
  locator: SourceLocator,
  options: SemanticOptions = {},
): SemanticResult {
  return new SemanticChecker(definition, locator, options).run();
}

class SemanticChecker {
  private readonly diagnostics: Diagnostic[] = [];
  private readonly calls: WorkflowCall[] = [];
  private readonly stepIndex = new Map<string, number>();
  private readonly inputNames: string[];
  private readonly usedInputs = new Set<string>();
  private allInputsUsed = false;
  private readonly foreachNames = new Map<string, string>();

  constructor(
    private readonly definition: WorkflowDefinition,
    private readonly locator: SourceLocator,
    private readonly options: SemanticOptions,
  ) {
    this.inputNames = Object.keys(definition.inputs ?? {});
  }

  run(): SemanticResult {
    this.checkStepIds();
    this.checkInputs();
    this.checkModels();
    this.definition.steps.forEach((step, index) => this.checkStep(step, index));
    for (const { path, message } of providerProblems(this.definition)) {
      this.report('provider-setting', path, message);
    }
    this.checkOutputs();
    this.checkUnusedInputs();
    this.checkLiteralSecrets();
    return { diagnostics: this.diagnostics, calls: this.calls };
  }

  /** Expressions in each output's value (not in a comparison rule); a rule's inline schema. */
  private checkOutputs(): void {
    for (const [name, output] of Object.entries(this.definition.outputs ?? {})) {
      if (!isRuledOutput(output)) {
        this.checkExpressionsIn(output, ['outputs', name], { allSteps: true });
        continue;
      }
      this.checkExpressionsIn(output.value, ['outputs', name, 'value'], { allSteps: true });
      const schema = ruleSchema(output.compare);
      const problem = schema === undefined ? undefined : userSchemaProblem(schema);
      if (problem) {
        this.report(
          'invalid-json-schema',
          ['outputs', name, 'compare', 'schema'],
          `not a valid JSON Schema: ${problem}`,
        );
      }
    }
  }

  private report(code: DiagnosticCode, path: JsonPath, message: string, range?: Range): void {
    this.diagnostics.push({
      code,
      severity: WARNINGS.has(code) ? 'warning' : 'error',
      message: `${formatPath(path, this.definition)}: ${message}`,
      range: range ?? this.locator.range(path),
    });
  }

  private checkStepIds(): void {
    this.definition.steps.forEach((step, index) => {
      if (step.id === '') return; // no usable id: the schema reported it
      const first = this.stepIndex.get(step.id);
      if (first === undefined) {
        this.stepIndex.set(step.id, index);
        if (step.foreach !== undefined) this.foreachNames.set(foreachItemName(step), step.id);
        return;
      }
      this.diagnostics.push({
        code: 'duplicate-step-id',
        severity: 'error',
        message: `steps[${index}].id: step id '${step.id}' is already used by steps[${first}]; step ids must be unique`,
        range: this.locator.range(['steps', index, 'id']),
        related: {
          range: this.locator.range(['steps', first, 'id']),
          message: `first use of '${step.id}'`,
        },
      });
    });
  }

  private checkInputs(): void {
    for (const [name, input] of Object.entries(this.definition.inputs ?? {})) {
      if (input.default === undefined) continue;
      const path = ['inputs', name, 'default'];
      if (!matchesType(input.default, input.type)) {
        this.report('invalid-default', path, `the default is not ${describeType(input.type)}`);
      } else if (input.enum && !input.enum.some((v) => sameJson(v, input.default!))) {
        this.report('invalid-default', path, 'the default is not one of the input’s enum values');
      }
    }
  }

  private checkModels(): void {
    for (const [name, model] of Object.entries(this.definition.models ?? {})) {
      this.checkExpressionsIn(model as unknown as JsonValue, ['models', name], { stepIndex: -1 });
    }
  }

  private checkStep(step: StepDefinition, index: number): void {
    const path: JsonPath = ['steps', index];
    const before = { stepIndex: index };
    const itemName = step.foreach !== undefined ? foreachItemName(step) : undefined;
    const inside = itemName === undefined ? before : { ...before, itemName };

    // `when` and `foreach` are evaluated once, before any iteration: the item is not in scope.
    this.checkExpressionsIn(step.when, [...path, 'when'], before);
    this.checkExpressionsIn(step.foreach, [...path, 'foreach'], before);
    this.checkExpressionsIn(step.key, [...path, 'key'], inside);

    if (step.llm) {
      const { schema, tools, ...request } = step.llm;
      if (tools) checkTools(this.toolChecks(), step, path, inside);
      this.checkExpressionsIn(request as unknown as JsonValue, [...path, 'llm'], inside);
      const models = Object.keys(this.definition.models ?? {});
      if (step.llm.model !== '' && !models.includes(step.llm.model)) {
        this.report(
          'unknown-model',
          [...path, 'llm', 'model'],
          `unknown model '${step.llm.model}'${didYouMean(step.llm.model, models)}; models defined: ${listNames(models)}`,
        );
      }
      if (schema !== undefined) {
        if (step.llm.output !== 'json') {
          this.report('schema', [...path, 'llm', 'schema'], 'a schema needs output: json');
        }
        const embedded = schemaOf(schema);
        const problem = embedded === undefined ? undefined : userSchemaProblem(embedded);
        if (problem) {
          this.report(
            'invalid-json-schema',
            [...path, 'llm', 'schema'],
            `not a valid JSON Schema: ${problem}`,
          );
        }
      }
    }
    checkRunner(this.toolChecks(), step, step.id, path, inside);
  }

  /** A call of another workflow (a step's or a tool's), for the workspace-level checks. */
  private recordCall(call: WorkflowCallStep, stepId: string, at: JsonPath): void {
    const inputsPath = [...at, 'inputs'];
    const given = call.inputs;
    this.calls.push({
      name: call.name,
      stepId,
      range: this.locator.range([...at, 'name']),
      pinned: call.version !== undefined,
      ...(typeof call.version === 'string' && CHANNEL_NAME.test(call.version)
        ? { channel: { name: call.version, range: this.locator.range([...at, 'version']) } }
        : {}),
      // Absent: none given. Present but dropped (not a mapping, a schema error): unknown.
      ...(given === undefined && this.locator.node(inputsPath) === null
        ? { inputs: [] }
        : given !== null && typeof given === 'object' && !Array.isArray(given)
          ? {
              inputs: Object.entries(given).map(([name, value]) => ({
                name,
                range: this.locator.range([...inputsPath, name], 'key'),
                value,
              })),
            }
          : {}),
      inputsRange: this.locator.range(
        given === undefined ? [...at, 'name'] : inputsPath,
        given === undefined ? 'value' : 'key',
      ),
    });
  }

  /** What the tool checks (tool-checks.ts) need of this checker. */
  private toolChecks(): ToolCheckHost {
    return {
      report: (code, path, message, range) => this.report(code, path, message, range),
      checkExpressionsIn: (value, path, site) => this.checkExpressionsIn(value, path, site),
      recordCall: (call, stepId, at) => this.recordCall(call, stepId, at),
      locator: this.locator,
    };
  }

  private checkExpressionsIn(
    value: JsonValue | undefined,
    path: JsonPath,
    site: ExpressionSite,
  ): void {
    if (value === undefined) return;
    forEachString(value, path, (text, at) => {
      if (!isTemplate(text)) return;
      const template = parseTemplate(text);
      for (const error of template.errors) {
        this.report(
          'expression-syntax',
          at,
          error.message,
          substringRange(this.locator, at, text, error.start, error.end),
        );
      }
      for (const expression of template.expressions) {
        const compiled = compileExpression(expression.source);
        if (!compiled.ok) {
          // Point at the offending token when JSONata names one, else at the whole expression.
          const tokenEnd = expression.sourceStart + compiled.position;
          const range =
            compiled.token !== undefined && compiled.position >= compiled.token.length
              ? substringRange(this.locator, at, text, tokenEnd - compiled.token.length, tokenEnd)
              : substringRange(this.locator, at, text, expression.start, expression.end);
          this.report('expression-syntax', at, `expression error: ${compiled.message}`, range);
          continue;
        }
        this.checkSecretForm(expression.source, compiled.references, at, () =>
          substringRange(this.locator, at, text, expression.start, expression.end),
        );
        for (const reference of compiled.references) {
          const start = expression.sourceStart + reference.start;
          const range = substringRange(
            this.locator,
            at,
            text,
            start,
            expression.sourceStart + reference.end,
          );
          this.checkReference(reference, at, site, range);
        }
      }
    });
  }

  /**
   * A secret may appear only as a whole `${{ secrets.NAME }}`: an expression that computes with
   * one (`$base64encode(secrets.T)`, `secrets.T & "x"`) could send or record it in a form no
   * redaction recognises. Where secrets are not allowed at all, checkReference says so instead.
   */
  private checkSecretForm(
    source: string,
    references: readonly ScopeReference[],
    path: JsonPath,
    range: () => Range,
  ): void {
    const secret = references.find((r) => r.root === 'secrets');
    if (!secret || !secretsAllowedAt(path) || secretPlaceholderName(source) !== undefined) return;
    const name = secret.path[0] ?? 'NAME';
    const basic =
      path[2] === 'http'
        ? '; for Basic authentication use `auth: { basic: { username, password } }`'
        : '';
    this.report(
      'secret-exposure',
      path,
      `\${{ ${source.trim()} }} computes with secrets.${name}: a secret may appear only as a whole \${{ secrets.${name} }}, alone or inside a string${basic}`,
      range(),
    );
  }

  private checkReference(
    reference: ScopeReference,
    path: JsonPath,
    site: ExpressionSite,
    range: Range,
  ): void {
    const [first, second] = reference.path;
    switch (reference.root) {
      case 'inputs':
        if (first === undefined) {
          this.allInputsUsed = true;
        } else if (this.inputNames.includes(first)) {
          this.usedInputs.add(first);
        } else {
          this.report(
            'unknown-input',
            path,
            `unknown input '${first}'${didYouMean(first, this.inputNames)}; inputs defined: ${listNames(this.inputNames)}`,
            range,
          );
        }
        return;
      case 'steps':
        this.checkStepReference(first, second, path, site, range);
        return;
      case 'secrets': {
        const listed = this.options.secretNames;
        if (first === undefined) {
          this.report('unknown-name', path, 'name a secret: secrets.NAME', range);
        } else if (!secretsAllowedAt(path)) {
          this.report(
            'secret-exposure',
            path,
            `secrets.${first} cannot be used here: a secret may only be placed where it is sent (${SECRET_PLACES}), never in a prompt, an output or anything else a run records`,
            range,
          );
        } else if (listed !== undefined && !listed.includes(first)) {
          this.report(
            'unknown-secret',
            path,
            `secrets.${first} is not listed in .lockstep/config.yaml: add ${first} to its secrets (with the hosts it may be sent to) so that reviewers see it${didYouMean(first, [...listed])}`,
            range,
          );
        }
        return;
      }
      case 'env': {
        const allow = this.options.envAllowList;
        if (first === undefined) {
          this.report('unknown-name', path, 'name a variable: env.NAME', range);
        } else if (allow !== undefined && !allow.includes(first)) {
          this.report(
            'env-not-allowed',
            path,
            `env.${first} is not allow-listed: add it to env.allow in .lockstep/config.yaml (allowed: ${listNames([...allow])})`,
            range,
          );
        }
        return;
      }
      default:
        this.checkLocalName(reference, path, site, range);
    }
  }

  private checkStepReference(
    id: string | undefined,
    field: string | undefined,
    path: JsonPath,
    site: ExpressionSite,
    range: Range,
  ): void {
    if (id === undefined) return; // `steps` as a whole: a map of every step's result
    const target = this.stepIndex.get(id);
    if (target === undefined) {
      const ids = [...this.stepIndex.keys()];
      this.report('unknown-step', path, `unknown step '${id}'${didYouMean(id, ids)}`, range);
      return;
    }
    if (!site.allSteps && site.stepIndex !== undefined && target >= site.stepIndex) {
      const current = site.stepIndex >= 0 ? this.definition.steps[site.stepIndex]?.id : undefined;
      const message =
        site.stepIndex < 0
          ? `models are resolved before any step runs, so they cannot read steps.${id}`
          : target === site.stepIndex
            ? `step '${id}' cannot read its own output`
            : `step '${id}' runs after '${current}', so its output is not available yet`;
      this.report('forward-step-reference', path, message, range);
      return;
    }
    if (field !== undefined && field !== 'output') {
      this.report(
        'unknown-step-field',
        path,
        `steps.${id}.${field}: a step's result is read as steps.${id}.output`,
        range,
      );
    }
  }

  private checkLocalName(
    reference: ScopeReference,
    path: JsonPath,
    site: ExpressionSite,
    range: Range,
  ): void {
    const name = reference.root;
    if (site.toolArgs && name === TOOL_ARGS_NAME) {
      const property = reference.path[0];
      const known = site.toolArgs.properties;
      if (property !== undefined && known !== undefined && !known.includes(property)) {
        this.report(
          'unknown-name',
          path,
          `args.${property}: the tool's parameters have no property '${property}'${didYouMean(property, [...known])}; properties: ${listNames([...known])}`,
          range,
        );
      }
      return;
    }
    if (site.itemName !== undefined && (name === site.itemName || name === 'index')) return;
    const here = site.itemName !== undefined ? `; in this step the item is '${site.itemName}'` : '';
    if (name === 'item' || name === 'index') {
      this.report(
        'unknown-foreach-name',
        path,
        `'${name}' is only defined inside a foreach step ('item' is the current item unless \`as\` renames it, 'index' its position)${here}`,
        range,
      );
      return;
    }
    const owner = this.foreachNames.get(name);
    if (owner !== undefined) {
      const ownIndex = this.stepIndex.get(owner);
      const inOwnHeader =
        path[0] === 'steps' &&
        path[1] === ownIndex &&
        (path[2] === 'when' || path[2] === 'foreach');
      const message = inOwnHeader
        ? `'${name}' is not defined yet: a step's when and foreach are evaluated once, before any iteration`
        : `'${name}' is the item of foreach step '${owner}' and is only defined inside that step${here}`;
      this.report('unknown-foreach-name', path, message, range);
      return;
    }
    const roots = [
      'inputs',
      'steps',
      'env',
      'secrets',
      ...(site.itemName ? [site.itemName, 'index'] : []),
      ...(site.toolArgs ? [TOOL_ARGS_NAME] : []),
    ];
    const hint = this.inputNames.includes(name)
      ? ` (did you mean 'inputs.${name}'?)`
      : didYouMean(name, roots);
    this.report(
      'unknown-name',
      path,
      `unknown name '${name}'${hint}; expressions read ${listNames(roots)}`,
      range,
    );
  }

  private checkUnusedInputs(): void {
    if (this.allInputsUsed) return;
    for (const name of this.inputNames) {
      if (!this.usedInputs.has(name)) {
        this.diagnostics.push({
          code: 'unused-input',
          severity: 'warning',
          message: `${formatPath(['inputs', name])}: the input is never used`,
          range: this.locator.range(['inputs', name], 'key'),
        });
      }
    }
  }

  private checkLiteralSecrets(): void {
    for (const secret of findLiteralSecrets(this.definition)) {
      const text = valueAtPath(this.definition, secret.path);
      const range =
        typeof text === 'string' && secret.start !== undefined && secret.end !== undefined
          ? substringRange(this.locator, secret.path, text, secret.start, secret.end)
          : undefined;
      this.report('literal-secret', secret.path, secret.message, range);
    }
  }
}

function valueAtPath(value: unknown, path: JsonPath): unknown {
  let current = value;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<string | number, unknown>)[segment];
  }
  return current;
}

function matchesType(value: JsonValue, type: string): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number';
    case 'integer':
      return typeof value === 'number' && Number.isInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'array':
      return Array.isArray(value);
    case 'object':
      return value !== null && typeof value === 'object' && !Array.isArray(value);
    default:
      return false;
  }
}

function describeType(type: string): string {
  return type === 'object'
    ? 'a mapping'
    : type === 'array'
      ? 'a list'
      : type === 'integer'
        ? 'an integer'
        : `a ${type}`;
}

function sameJson(a: JsonValue, b: JsonValue): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false; // .nan or .inf: reported on their own
  }
}

/** The inline schema of a `{ schema: … }` comparison rule, when `rule` is one. */
function ruleSchema(rule: JsonValue): JsonValue | undefined {
  if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return undefined;
  return rule['schema'];
}
