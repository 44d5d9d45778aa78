/**
 * Per-file validation results, keyed by the exact text and the settings (env allow-list, secret
 * names) they were computed with. A keystroke re-validates only the edited file; every other file's result (and its summary
 * for the workspace checks) comes from here.
 */
import type { ValidationSettings } from '../../../core/src/validate/config.js';
import {
  validateWorkflowText,
  type ValidatedWorkflow,
} from '../../../core/src/validate/validate-workflow.js';

interface Entry {
  readonly text: string;
  readonly settings: string;
  readonly validated: ValidatedWorkflow;
}

/** One validation per file key: the latest text's. */
export class ValidationCache {
  private readonly entries = new Map<string, Entry>();

  /** @param onValidate observes every real (uncached) validation, by file key. */
  constructor(private readonly onValidate?: (key: string) => void) {}

  /** The file's validation for this text, computed only when the text or settings changed. */
  validate(key: string, text: string, settings: ValidationSettings): ValidatedWorkflow {
    const settingsKey = keyOf(settings);
    const known = this.entries.get(key);
    if (known && known.text === text && known.settings === settingsKey) return known.validated;
    this.onValidate?.(key);
    const validated = validateWorkflowText(text, settings);
    this.entries.set(key, { text, settings: settingsKey, validated });
    return validated;
  }

  /** Whether `validate` would answer from the cache. */
  has(key: string, text: string, settings: ValidationSettings): boolean {
    const known = this.entries.get(key);
    return !!known && known.text === text && known.settings === keyOf(settings);
  }

  /** Drops a file's result (deleted files). */
  forget(key: string): void {
    this.entries.delete(key);
  }
}

function keyOf(settings: ValidationSettings): string {
  return `${settings.envAllowList.join(',')}|${settings.secretNames.join(',')}`;
}
