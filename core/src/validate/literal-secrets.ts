/**
 * Finds credentials written into a workflow file. Secrets reach a run only through
 * `${{ secrets.NAME }}`, which is resolved at run time and never recorded; a literal key in the
 * file would end up in every version, every diff and git history.
 */
import type { HttpStep, ShellStep, WorkflowDefinition } from '../model/workflow.js';
import { parseTemplate } from '../expressions/template.js';
import { compileExpression } from '../expressions/references.js';
import type { JsonPath } from '../parse/source-locator.js';
import { formatPath } from './json-path.js';
import { forEachString } from './strings.js';

/** One literal credential: where it is, and the part of the string that holds it. */
export interface LiteralSecret {
  readonly path: JsonPath;
  readonly message: string;
  /** Offsets within the string; the whole string when absent. */
  readonly start?: number;
  readonly end?: number;
}

/** Well-known credential formats. The message names the kind, never the value. */
const TOKEN_PATTERNS: readonly { kind: string; pattern: RegExp }[] = [
  {
    kind: 'an API key (sk-…)',
    pattern: /\bsk-(?:proj-|ant-[a-z0-9]+-|live-|svcacct-)?[A-Za-z0-9_-]{20,}/,
  },
  {
    kind: 'a GitHub token',
    pattern: /\b(?:gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})/,
  },
  { kind: 'a GitLab token', pattern: /\bglpat-[A-Za-z0-9_-]{20,}/ },
  { kind: 'a Slack token', pattern: /\bxox[abprs]-[A-Za-z0-9-]{10,}/ },
  { kind: 'an AWS access key', pattern: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { kind: 'a Google API key', pattern: /\bAIza[0-9A-Za-z_-]{35}/ },
  { kind: 'a Stripe key', pattern: /\b[rs]k_(?:live|test)_[0-9A-Za-z]{16,}/ },
  { kind: 'a Hugging Face token', pattern: /\bhf_[A-Za-z0-9]{30,}/ },
  { kind: 'an npm token', pattern: /\bnpm_[A-Za-z0-9]{36}\b/ },
  { kind: 'a private key', pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
  {
    kind: 'a JSON Web Token',
    pattern: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/,
  },
  { kind: 'a bearer token', pattern: /\bBearer\s+(?!\$\{\{)[A-Za-z0-9._~+/-]{16,}=*/ },
];

/** Header names that carry credentials. */
const SENSITIVE_HEADER =
  /^(?:authorization|proxy-authorization|cookie|x-api-key|api-key|apikey)$|token|secret|api[-_]?key|password|credential/i;
/** Query-parameter and environment-variable names that carry credentials. */
const SENSITIVE_NAME =
  /(?:^key$|token|secret|api[-_]?key|password|passwd|credential|^sig(?:nature)?$)/i;
/** Words allowed beside a secret in a credential value, e.g. `Bearer ${{ secrets.X }}`. */
const SCHEME_WORDS = /^(?:bearer|basic|token|bot|apikey|key)$/i;
/** `scheme://user:password@host` with a literal password. */
const URL_USERINFO = /^[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:([^/\s@]+)@/i;

const HOW_TO_FIX =
  'secrets come only through ${{ secrets.NAME }} (list NAME under secrets in .lockstep/config.yaml and set it in the environment)';

/** The parts of a step (or a tool) that send something: where credentials go. */
interface SenderBody {
  readonly http?: HttpStep;
  readonly shell?: ShellStep;
}

/** Every literal credential in a (schema-valid) definition. */
export function findLiteralSecrets(definition: WorkflowDefinition): LiteralSecret[] {
  const found: LiteralSecret[] = [];
  const flagged = new Set<string>();
  const add = (secret: LiteralSecret): void => {
    const key = formatPath(secret.path);
    if (flagged.has(key)) return; // one finding per field is enough
    flagged.add(key);
    found.push(secret);
  };

  for (const [name, model] of Object.entries(definition.models ?? {})) {
    if (model.api_key !== undefined && !isOnlySecrets(model.api_key, false)) {
      add({
        path: ['models', name, 'api_key'],
        message: `API keys never go in the file: write api_key: \${{ secrets.${name.toUpperCase()}_API_KEY }}, list ${name.toUpperCase()}_API_KEY under secrets in .lockstep/config.yaml and set it in the environment`,
      });
    }
  }

  // What sends a credential: a step's http or shell, and the same runners of its tools.
  const checkSender = (step: SenderBody, at: JsonPath): void => {
    const http = step.http;
    if (http) {
      for (const [header, value] of Object.entries(http.headers ?? {})) {
        if (SENSITIVE_HEADER.test(header) && !isOnlySecrets(value, true)) {
          add({
            path: [...at, 'http', 'headers', header],
            message: `the '${header}' header carries a credential written into the file; ${HOW_TO_FIX}`,
          });
        }
      }
      for (const [param, value] of Object.entries(http.query ?? {})) {
        if (SENSITIVE_NAME.test(param) && !isOnlySecrets(value, false)) {
          add({
            path: [...at, 'http', 'query', param],
            message: `the '${param}' query parameter carries a credential written into the file; ${HOW_TO_FIX}`,
          });
        }
      }
      const auth = http.auth;
      const credential =
        auth === undefined
          ? undefined
          : 'bearer' in auth
            ? { path: ['bearer'], value: auth.bearer, what: 'bearer token' }
            : { path: ['basic', 'password'], value: auth.basic.password, what: 'password' };
      if (credential && credential.value !== '' && !isOnlySecrets(credential.value, false)) {
        add({
          path: [...at, 'http', 'auth', ...credential.path],
          message: `the ${credential.what} is written into the file; ${HOW_TO_FIX}`,
        });
      }
      const userinfo = URL_USERINFO.exec(http.url);
      if (userinfo && !userinfo[1]!.includes('${{')) {
        add({
          path: [...at, 'http', 'url'],
          message: `the URL holds a password; ${HOW_TO_FIX}`,
        });
      }
    }
    const shell = step.shell;
    if (shell && typeof shell === 'object') {
      for (const [variable, value] of Object.entries(shell.env ?? {})) {
        if (SENSITIVE_NAME.test(variable) && !isOnlySecrets(value, false)) {
          add({
            path: [...at, 'shell', 'env', variable],
            message: `the ${variable} variable carries a credential written into the file; ${HOW_TO_FIX}`,
          });
        }
      }
    }
  };
  definition.steps.forEach((step, index) => {
    checkSender(step, ['steps', index]);
    step.llm?.tools?.forEach((tool, t) => checkSender(tool, ['steps', index, 'llm', 'tools', t]));
  });

  forEachString(definition, [], (text, path) => {
    for (const { kind, pattern } of TOKEN_PATTERNS) {
      const match = pattern.exec(text);
      if (match) {
        add({
          path,
          message: `this looks like ${kind} written into the file; ${HOW_TO_FIX}`,
          start: match.index,
          end: match.index + match[0].length,
        });
        break;
      }
    }
  });
  return found;
}

/**
 * True when `value` gets its credential from secrets: it has at least one expression, every
 * expression reads only `secrets.*`, and the text around them is empty or (when `allowScheme`)
 * a scheme word such as `Bearer`.
 */
function isOnlySecrets(value: string, allowScheme: boolean): boolean {
  const { expressions, errors } = parseTemplate(value);
  if (errors.length > 0 || expressions.length === 0) return false;
  let outside = '';
  let last = 0;
  for (const expression of expressions) {
    outside += `${value.slice(last, expression.start)} `;
    last = expression.end;
    const compiled = compileExpression(expression.source);
    if (!compiled.ok) return true; // reported as an expression error; not a literal credential
    if (compiled.references.length === 0) return false; // e.g. ${{ 'sk-…' }}
    if (compiled.references.some((r) => r.root !== 'secrets')) return false;
  }
  outside += value.slice(last);
  const words = outside.split(/\s+/).filter((w) => w !== '');
  return words.length === 0 || (allowScheme && words.length === 1 && SCHEME_WORDS.test(words[0]!));
}
