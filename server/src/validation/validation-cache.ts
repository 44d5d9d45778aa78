/**
 * Per-file validation results, keyed by the exact text and the env allow-list they were computed
 * with. A keystroke re-validates only the edited file; every other file's result (and its summary
 * for the workspace checks) comes from here.
 */
import {
  validateWorkflowText,
  type ValidatedWorkflow,
} from '../../../core/src/validate/validate-workflow.js';

interface Entry {
  readonly text: string;
  readonly allow: string;
  readonly validated: ValidatedWorkflow;
}

/** One validation per file key: the latest text's. */
export class ValidationCache {
  private readonly entries = new Map<string, Entry>();

  /** @param onValidate observes every real (uncached) validation, by file key. */
  constructor(private readonly onValidate?: (key: string) => void) {}

  /** The file's validation for this text, computed only when the text or allow-list changed. */
  validate(key: string, text: string, envAllowList: readonly string[]): ValidatedWorkflow {
    const allow = envAllowList.join('\n');
    const known = this.entries.get(key);
    if (known && known.text === text && known.allow === allow) return known.validated;
    this.onValidate?.(key);
    const validated = validateWorkflowText(text, { envAllowList });
    this.entries.set(key, { text, allow, validated });
    return validated;
  }

  /** Whether `validate` would answer from the cache. */
  has(key: string, text: string, envAllowList: readonly string[]): boolean {
    const known = this.entries.get(key);
    return !!known && known.text === text && known.allow === envAllowList.join('\n');
  }

  /** Drops a file's result (deleted files). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}
