/**
 * Compiles expressions with JSONata (a sandboxed language: no access to JavaScript globals) and
 * finds the names they read from the evaluation scope (`inputs.x`, `steps.a.output`, `item`…).
 */
import jsonata from 'jsonata';
import { boundedMemo } from '../bounded-memo.js';

/** A name read from the scope, e.g. `steps.classify.output.category` → root `steps`. */
export interface ScopeReference {
  readonly root: string;
  /** The plain field names that follow the root, up to the first non-name step. */
  readonly path: readonly string[];
  /** 0-based offsets of the whole dotted reference within the expression source. */
  readonly start: number;
  readonly end: number;
}

export type CompiledExpression =
  | { readonly ok: true; readonly references: readonly ScopeReference[] }
  | {
      readonly ok: false;
      readonly message: string;
      /** Offset just after the offending token (JSONata's convention), or 0 when unknown. */
      readonly position: number;
      /** The offending token, when JSONata names one. */
      readonly token?: string;
    };

interface AstNode {
  type: string;
  value?: unknown;
  position?: number;
  steps?: AstNode[];
  stages?: AstNode[];
  predicate?: AstNode[];
  group?: { lhs: [AstNode, AstNode][] };
  expr?: AstNode;
  lhs?: AstNode | [AstNode, AstNode][];
  rhs?: AstNode;
  expressions?: AstNode[];
  arguments?: AstNode[];
  procedure?: AstNode;
  body?: AstNode;
  condition?: AstNode;
  then?: AstNode;
  else?: AstNode;
  terms?: { expression: AstNode }[];
  pattern?: AstNode;
  update?: AstNode;
  delete?: AstNode;
  expression?: AstNode;
}

/** Distinct expressions remembered; past this the oldest are forgotten (a bound, not a tuning). */
export const COMPILE_MEMO_LIMIT = 4096;

/**
 * Parses one expression and lists the scope names it reads; never throws. Results are kept per
 * source text (compiling is pure, and `jsonata()` builds a fresh parser and function table on
 * every call, which dominated re-validating a large workflow on each keystroke in the language
 * server), and shared between calls with the same source, so they are frozen.
 */
export const compileExpression: (source: string) => CompiledExpression = boundedMemo(
  COMPILE_MEMO_LIMIT,
  (source: string) => deepFreeze(compileUncached(source)),
);

function deepFreeze(compiled: CompiledExpression): CompiledExpression {
  if (compiled.ok) {
    for (const reference of compiled.references) Object.freeze(reference.path);
    compiled.references.forEach((reference) => Object.freeze(reference));
    Object.freeze(compiled.references);
  }
  return Object.freeze(compiled);
}

function compileUncached(source: string): CompiledExpression {
  let ast: AstNode;
  try {
    ast = jsonata(source).ast() as AstNode;
  } catch (error) {
    const e = error as { message?: string; position?: number; token?: unknown };
    const position = typeof e.position === 'number' ? e.position : 0;
    const token =
      (typeof e.token === 'string' || typeof e.token === 'number') && e.token !== '(end)'
        ? String(e.token)
        : undefined;
    // JSONata says "Syntax error: x" for an unexpected token; say what that means.
    const message = (e.message ?? String(error)).replace(/^Syntax error: (.*)$/, "unexpected '$1'");
    return token === undefined
      ? { ok: false, message, position }
      : {
          ok: false,
          message: message.includes(token) ? message : `${message} (at '${token}')`,
          position,
          token,
        };
  }
  const references: ScopeReference[] = [];
  walk(ast, false, source, references);
  return { ok: true, references };
}

/** Where a JSONata name token starts; positions in the AST mark the end of each token. */
function nameStart(source: string, node: AstNode): number {
  const end = node.position ?? 0;
  const text = String(node.value);
  return source[end - 1] === '`' ? end - text.length - 2 : end - text.length;
}

function recordPath(steps: AstNode[], from: number, source: string, out: ScopeReference[]): void {
  const first = steps[from];
  if (first?.type !== 'name') return;
  const path: string[] = [];
  let last = first;
  for (let i = from + 1; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.type !== 'name') break;
    path.push(String(step.value));
    last = step;
    if (step.stages?.length || step.predicate?.length) break;
  }
  out.push({
    root: String(first.value),
    path,
    start: nameStart(source, first),
    end: last.position ?? 0,
  });
}

/**
 * Walks the AST. `relative` is true where names are read from the current item rather than the
 * scope: after the first step of a path, and inside filters, sorts and group-bys.
 */
function walk(
  node: AstNode | undefined,
  relative: boolean,
  source: string,
  out: ScopeReference[],
): void {
  if (!node || typeof node !== 'object') return;
  switch (node.type) {
    case 'path': {
      const steps = node.steps ?? [];
      const head = steps[0];
      if (!relative && head?.type === 'name') recordPath(steps, 0, source, out);
      // `$.inputs.x` reads the scope where `$` is the scope; `$$.inputs.x` reads it everywhere
      // (inside a filter, `$$` is how an expression reaches the scope).
      if (head?.type === 'variable' && (head.value === '$' || (!relative && head.value === ''))) {
        recordPath(steps, 1, source, out);
      }
      steps.forEach((step, index) => walkStep(step, relative || index > 0, source, out));
      for (const [key, value] of node.group?.lhs ?? []) {
        walk(key, true, source, out);
        walk(value, true, source, out);
      }
      return;
    }
    case 'name':
      if (!relative) {
        out.push({
          root: String(node.value),
          path: [],
          start: nameStart(source, node),
          end: node.position ?? 0,
        });
      }
      walkFilters(node, source, out);
      return;
    default:
      walkStep(node, relative, source, out);
  }
}

/** Walks the parts of a node other than its own name. */
function walkStep(node: AstNode, relative: boolean, source: string, out: ScopeReference[]): void {
  switch (node.type) {
    case 'name':
      walkFilters(node, source, out);
      return;
    case 'path':
      walk(node, relative, source, out);
      return;
    case 'unary':
      if (node.value === '{' && Array.isArray(node.lhs)) {
        for (const [key, value] of node.lhs) {
          walk(key, relative, source, out);
          walk(value, relative, source, out);
        }
      } else {
        for (const e of node.expressions ?? []) walk(e, relative, source, out);
        walk(node.expression, relative, source, out);
      }
      break;
    case 'binary':
    case 'apply':
      walk(node.lhs as AstNode | undefined, relative, source, out);
      walk(node.rhs, relative, source, out);
      break;
    case 'bind':
      walk(node.rhs, relative, source, out);
      break;
    case 'function':
    case 'partial':
      walk(node.procedure, relative, source, out);
      for (const a of node.arguments ?? []) walk(a, relative, source, out);
      break;
    case 'lambda':
      walk(node.body, relative, source, out);
      break;
    case 'condition':
      walk(node.condition, relative, source, out);
      walk(node.then, relative, source, out);
      walk(node.else, relative, source, out);
      break;
    case 'block':
      for (const e of node.expressions ?? []) walk(e, relative, source, out);
      break;
    case 'sort':
      for (const term of node.terms ?? []) walk(term.expression, true, source, out);
      break;
    case 'transform':
      walk(node.pattern, relative, source, out);
      walk(node.update, relative, source, out);
      walk(node.delete, relative, source, out);
      break;
    default:
      break; // literals, variables, wildcards, regexes: no scope names
  }
  walkFilters(node, source, out);
}

function walkFilters(node: AstNode, source: string, out: ScopeReference[]): void {
  for (const stage of node.stages ?? []) walk(stage.expr ?? stage, true, source, out);
  for (const predicate of node.predicate ?? [])
    walk(predicate.expr ?? predicate, true, source, out);
}
