/**
 * What the Runner says when the chosen workflow cannot be loaded. The service names the file by
 * its absolute path where it points into it (an invalid definition: `/abs/flow.yaml:13:14: …`);
 * the Runner names it once, as its picker does (`label`), keeping the line and column.
 */
export function loadErrorText(label: string, fsPath: string, message: string): string {
  return fsPath !== '' && message.includes(fsPath)
    ? message.split(fsPath).join(label)
    : `${label}: ${message}`;
}
