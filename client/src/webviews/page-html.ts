/**
 * The page every Lockstep webview loads: a strict CSP (its scripts run by nonce; styles, images
 * and fonts only from media/), the shared webview-base.css and webview-dom.js, then the page's own
 * stylesheet and script from media/. Data never goes
 * into the HTML: it arrives by message and the script renders it as text.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';

export interface PageParts {
  /** media/<name>.js and media/<name>.css. */
  readonly name: string;
  readonly title: string;
  /** Static markup before the live region (never data). */
  readonly placeholder: string;
}

/** The HTML of a webview whose resources are in `media`. */
export function pageHtml(webview: vscode.Webview, media: vscode.Uri, parts: PageParts): string {
  const nonce = randomBytes(16).toString('base64');
  const asset = (file: string): string =>
    webview.asWebviewUri(vscode.Uri.joinPath(media, file)).toString();
  const csp = [
    `default-src 'none'`,
    `style-src ${webview.cspSource}`,
    `script-src 'nonce-${nonce}'`,
    `img-src ${webview.cspSource}`,
    `font-src ${webview.cspSource}`,
  ].join('; ');
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="UTF-8">
  <meta http-equiv="Content-Security-Policy" content="${csp}">
  <meta name="viewport" content="width=device-width, initial-scale=1.0">
  <link rel="stylesheet" href="${asset('webview-base.css')}">
  <link rel="stylesheet" href="${asset(`${parts.name}.css`)}">
  <title>${parts.title}</title>
</head>
<body>
  <div id="app" aria-busy="true">${parts.placeholder}</div>
  <div id="announcer" class="visually-hidden" role="status" aria-live="polite"></div>
  <script nonce="${nonce}" src="${asset('webview-dom.js')}"></script>
  <script nonce="${nonce}" src="${asset(`${parts.name}.js`)}"></script>
</body>
</html>`;
}
