/**
 * Everything features need to know about one version of one document, computed on first use and
 * shared by every request on that version: the validation result (from the cache), its YAML
 * tree, the outline, and every expression with its references at exact offsets.
 */
import type { Document } from 'yaml';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import {
  expressionOccurrences,
  type ExpressionOccurrence,
} from '../../../core/src/expressions/expression-occurrences.js';
import type { ValidatedWorkflow } from '../../../core/src/validate/validate-workflow.js';
import { buildOutline, type WorkflowOutline } from './outline.js';

/** One version of one document; each fact is computed on first use. */
export class DocumentAnalysis {
  private outlineMemo: WorkflowOutline | undefined;
  private occurrencesMemo: readonly ExpressionOccurrence[] | undefined;

  constructor(
    readonly document: TextDocument,
    readonly validated: ValidatedWorkflow,
  ) {}

  /** The text that was analysed (the document's text at this version). */
  get text(): string {
    return this.validated.parsed.text;
  }

  /** The YAML syntax tree (recovered as far as possible when the text has errors). */
  get doc(): Document {
    return this.validated.parsed.locator.doc;
  }

  get outline(): WorkflowOutline {
    this.outlineMemo ??= buildOutline(this.doc);
    return this.outlineMemo;
  }

  /** Every `${{ … }}` of the document, in source order. */
  get occurrences(): readonly ExpressionOccurrence[] {
    this.occurrencesMemo ??= expressionOccurrences(this.doc, this.text);
    return this.occurrencesMemo;
  }
}
