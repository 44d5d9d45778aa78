/**
 * Parses workflow YAML into a plain value plus everything needed to report problems at exact
 * source positions. Hostile input (huge files, deep nesting, alias bombs) yields diagnostics,
 * never a crash or a hang.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { Diagnostic } from '../model/diagnostics.js';
import { SourceLocator } from './source-locator.js';

/** Files larger than this are refused: no real workflow comes close, and parsing stays bounded. */
export const MAX_WORKFLOW_BYTES = 2 * 1024 * 1024;
/** Deeper nesting than this is refused (a JSON Schema inside an `llm` step rarely exceeds 10). */
export const MAX_NESTING_DEPTH = 64;
/** An alias may expand this many times in total; more signals an alias bomb. */
export const MAX_ALIAS_EXPANSIONS = 100;
/** Syntax errors reported per file; past this the rest is noise caused by the first ones. */
const MAX_SYNTAX_DIAGNOSTICS = 50;

/** The result of parsing one YAML file. */
export interface ParsedYaml {
  readonly text: string;
  /** The parsed value; undefined when the YAML could not be read at all. */
  readonly value: unknown;
  readonly locator: SourceLocator;
  /** Syntax and limit problems. When any is an error, `value` must not be trusted. */
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Parses YAML text (a workflow file or the config) into a plain value; never throws on bad
 * input. Whether the value has the right shape is for the caller to check.
 */
export function parseYamlText(text: string): ParsedYaml {
  const lines = new LineCounter();
  const byteLength = utf8Length(text);
  if (byteLength > MAX_WORKFLOW_BYTES) {
    // Do not even tokenise: a huge file is refused with one diagnostic on its first line.
    const mib = (byteLength / 1024 / 1024).toFixed(1);
    return refuse(
      text,
      'file-too-large',
      0,
      `the file is ${mib} MiB; workflow files are limited to ${MAX_WORKFLOW_BYTES / 1024 / 1024} MiB (split it into sub-workflows)`,
    );
  }

  const deepAt = deepFlowNestingOffset(text, MAX_NESTING_DEPTH);
  if (deepAt !== undefined) {
    // The YAML parser recurses per flow level: refuse before parsing so a file of a million
    // brackets costs one linear scan instead of seconds of stack overflows.
    return refuse(
      text,
      'yaml-limit',
      deepAt,
      `the file nests [ ] or { } deeper than ${MAX_NESTING_DEPTH} levels`,
    );
  }

  const doc = parseDocument(text, {
    lineCounter: lines,
    prettyErrors: false,
    uniqueKeys: true,
    strict: true,
    keepSourceTokens: false,
    // YAML 1.1's tags (!!binary, !!set, !!omap, !!timestamp) would make Buffers, Sets and Maps,
    // which no schema check expects: they stay plain data, with a warning at the tag.
    resolveKnownTags: false,
  });
  const locator = new SourceLocator(doc, lines, text);
  const diagnostics = syntaxDiagnostics(doc, locator);
  if (diagnostics.some((d) => d.severity === 'error')) {
    return { text, value: undefined, locator, diagnostics };
  }

  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_EXPANSIONS });
  } catch (error) {
    const detail = error instanceof Error ? error.message : String(error);
    diagnostics.push({
      code: 'yaml-limit',
      severity: 'error',
      message: `the YAML could not be expanded: ${detail} (at most ${MAX_ALIAS_EXPANSIONS} alias expansions are allowed)`,
      range: locator.range([]),
    });
    return { text, value: undefined, locator, diagnostics };
  }

  if (nestingDepth(value, MAX_NESTING_DEPTH + 1) > MAX_NESTING_DEPTH) {
    diagnostics.push({
      code: 'yaml-limit',
      severity: 'error',
      message: `the file nests deeper than ${MAX_NESTING_DEPTH} levels`,
      range: locator.range([]),
    });
    return { text, value: undefined, locator, diagnostics };
  }
  return { text, value, locator, diagnostics };
}

/** A result for text that is refused before parsing, with one error at `offset`. */
function refuse(
  text: string,
  code: 'file-too-large' | 'yaml-limit',
  offset: number,
  message: string,
): ParsedYaml {
  const lines = new LineCounter();
  lines.addNewLine(0); // the parser records the first line's start itself; here it is done by hand
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) {
    lines.addNewLine(i + 1);
  }
  const locator = new SourceLocator(parseDocument(''), lines, text);
  const range = locator.offsetRange(offset, Math.min(offset + 1, text.length));
  return {
    text,
    value: undefined,
    locator,
    diagnostics: [{ code, severity: 'error', message, range }],
  };
}

function syntaxDiagnostics(doc: Document.Parsed, locator: SourceLocator): Diagnostic[] {
  const out: Diagnostic[] = [];
  const problems = [
    ...doc.errors.map((e) => ({ e, severity: 'error' as const })),
    ...doc.warnings.map((e) => ({ e, severity: 'warning' as const })),
  ];
  // One syntax error usually makes the parser trip over every token after it on the same line
  // ("Unexpected … token"): keep the first problem of each line, which is the one to fix.
  const linesSeen = new Set<number>();
  let dropped = 0;
  for (const { e, severity } of problems) {
    const range = locator.offsetRange(e.pos[0], e.pos[1]);
    if (linesSeen.has(range.start.line) || out.length >= MAX_SYNTAX_DIAGNOSTICS) {
      dropped++;
      continue;
    }
    linesSeen.add(range.start.line);
    const exhausted = e.code === 'RESOURCE_EXHAUSTION';
    out.push({
      code: exhausted ? 'yaml-limit' : 'yaml-syntax',
      severity,
      message: exhausted
        ? 'the YAML nests too deeply to read'
        : e.code === 'MULTIPLE_DOCS'
          ? 'a workflow file holds one YAML document; remove the extra `---` document'
          : firstLine(e.message),
      range,
    });
    if (exhausted) return out; // one is enough: the rest repeat it at every nesting level
  }
  if (out.length >= MAX_SYNTAX_DIAGNOSTICS && dropped > 0) {
    out.push({
      code: 'yaml-syntax',
      severity: 'error',
      message: `${dropped} more YAML problems not shown; fix the ones above first`,
      range: out.at(-1)!.range,
    });
  }
  return out;
}

function firstLine(message: string): string {
  // yaml's messages end with " at line N, column M" plus a code excerpt; positions are ours.
  return (message.split('\n')[0] ?? message).replace(/ at line \d+, column \d+:?$/, '');
}

/**
 * The offset where flow collections (`[`, `{`) first nest deeper than `limit`, or undefined.
 * Quoted strings and comments are skipped; brackets inside plain scalars are counted too, which
 * can only over-count in text that already has more than `limit` unmatched openers.
 */
function deepFlowNestingOffset(text: string, limit: number): number | undefined {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\' && quote === '"') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || (c === "'" && (i === 0 || /[\s\[{,:]/.test(text[i - 1]!)))) quote = c;
    else if (c === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      const eol = text.indexOf('\n', i);
      i = eol === -1 ? text.length : eol;
    } else if (c === '[' || c === '{') {
      if (++depth > limit) return i;
    } else if ((c === ']' || c === '}') && depth > 0) depth--;
  }
  return undefined;
}

/** The nesting depth of a plain value, counting stops once `limit` is reached. */
function nestingDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop()!;
    if (depth > deepest) deepest = depth;
    if (deepest >= limit) return deepest;
    if (current !== null && typeof current === 'object') {
      for (const child of Object.values(current)) stack.push([child, depth + 1]);
    }
  }
  return deepest;
}

/** The UTF-8 size of a string, without encoding it (this module stays free of Node's Buffer). */
function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) bytes += 1;
    else if (code < 0x800) bytes += 2;
    else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4; // a surrogate pair is one four-byte character
      i++;
    } else bytes += 3;
  }
  return bytes;
}
