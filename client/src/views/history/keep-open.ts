/**
 * Keeps the History rows a person opens open while History refreshes.
 *
 * VS Code's tree draws a refresh from the rows' states it read when the refresh began: a row
 * opened while a refresh is under way can be drawn closed again when it ends, with no collapse
 * event (the extension still counts it as open) and without its children read. A live run
 * refreshes History for each burst of events it writes; a CI run caught the running workflow's
 * row folded up right after it was opened. Asking VS Code to open the row once more, after each
 * open, repairs it: VS Code's expand waits for a refresh under way to be drawn, then opens the
 * row if it was closed, and does nothing if it stayed open. (A row opened and closed again within
 * one refresh is opened again: rarer, and one click away.)
 */
import type * as vscode from 'vscode';

/**
 * Opens each row of `view` again, once, after a person (or a command) opened it. `newest` gives
 * the node last listed with a row's id (a refresh replaces the objects, not the ids). Returns what
 * stops it.
 */
export function keepOpenedRowsOpen<Node>(
  view: vscode.TreeView<Node>,
  newest: (node: Node) => Node,
  warn: (message: string) => void,
): vscode.Disposable {
  return view.onDidExpandElement(({ element }) => {
    // Neither selected nor focused: the person's selection and focus stay where they put them.
    // The row was just clicked, so it is in view: revealing it does not scroll.
    Promise.resolve(
      view.reveal(newest(element), { expand: true, select: false, focus: false }),
    ).catch((error: unknown) => {
      // A row gone since (its run pruned, its folder closed) has nothing to reopen.
      warn(`History: a row opened during a refresh could not be kept open: ${String(error)}`);
    });
  });
}
