// The documentation's relative links, checked: every `[text](target)` in README.md, CONTRIBUTING.md
// and docs/*.md points to a file or folder that exists, and every `#anchor` to a heading of the
// target page, so moving a page or renaming a heading cannot silently break a reader's path.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { REPO_ROOT } from '../helpers/paths.js';

/** The Markdown files whose links are checked (absolute paths). */
function documentationFiles(): string[] {
  const docs = path.join(REPO_ROOT, 'docs');
  return [
    path.join(REPO_ROOT, 'README.md'),
    path.join(REPO_ROOT, 'CONTRIBUTING.md'),
    ...readdirSync(docs)
      .filter((name) => name.endsWith('.md'))
      .sort()
      .map((name) => path.join(docs, name)),
  ];
}

/** The lines of `text` outside fenced code blocks (``` or ~~~), with their 1-based numbers. */
function proseLines(text: string): { line: number; text: string }[] {
  const lines: { line: number; text: string }[] = [];
  let fence: string | undefined;
  for (const [index, line] of text.split('\n').entries()) {
    const marker = /^\s*(`{3,}|~{3,})/.exec(line)?.[1];
    if (fence === undefined && marker !== undefined) fence = marker;
    else if (
      fence !== undefined &&
      marker !== undefined &&
      marker[0] === fence[0] &&
      marker.length >= fence.length
    )
      fence = undefined;
    else if (fence === undefined) lines.push({ line: index + 1, text: line });
  }
  return lines;
}

/** Where external links go: never checked. */
const EXTERNAL = /^(?:https?|mailto):/i;

/** The relative inline links of `text` (outside code blocks and code spans), with their lines. */
function relativeLinks(text: string): { line: number; target: string }[] {
  return proseLines(text).flatMap(({ line, text: prose }) => {
    // A code span shows link syntax rather than linking; `[`x`](y)` keeps its (blanked) text.
    const withoutCode = prose.replace(/`+[^`]*`+/g, (span) => 'x'.repeat(span.length));
    return [...withoutCode.matchAll(/\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)]
      .map((match) => match[1]!)
      .filter((target) => !EXTERNAL.test(target))
      .map((target) => ({ line, target }));
  });
}

/** GitHub's anchor for a heading: lowercase, punctuation dropped, spaces to hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a Markdown file's headings (a repeated heading gets `-1`, `-2`… as on GitHub). */
function anchorsOf(file: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of proseLines(readFileSync(file, 'utf8'))) {
    const heading = /^ {0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const base = slug(heading);
    const count = seen.get(base) ?? 0;
    seen.set(base, count + 1);
    anchors.add(count === 0 ? base : `${base}-${count}`);
  }
  return anchors;
}

/** The broken relative links of `text`, as if it were the content of `file`; one line each. */
function brokenLinks(file: string, text: string): string[] {
  const where = path.relative(REPO_ROOT, file);
  return relativeLinks(text).flatMap(({ line, target }) => {
    const hash = target.indexOf('#');
    const pathPart = hash === -1 ? target : target.slice(0, hash);
    const anchor = hash === -1 ? undefined : target.slice(hash + 1);
    const resolved = pathPart === '' ? file : path.resolve(path.dirname(file), decodeURI(pathPart));
    if (!existsSync(resolved)) return [`${where}:${line}: ${target}: no such file or folder`];
    if (anchor === undefined) return [];
    if (!resolved.endsWith('.md'))
      return [`${where}:${line}: ${target}: an anchor into a file that is not Markdown`];
    if (!anchorsOf(resolved).has(decodeURIComponent(anchor)))
      return [`${where}:${line}: ${target}: no heading with the anchor #${anchor}`];
    return [];
  });
}

test('every relative link of the documentation resolves, anchors included', () => {
  const broken = documentationFiles().flatMap((file) =>
    brokenLinks(file, readFileSync(file, 'utf8')),
  );
  assert.deepEqual(broken, []);
});

test('anchors are GitHub heading slugs', () => {
  assert.equal(slug('What `npm test` checks'), 'what-npm-test-checks');
  assert.equal(slug('The workflow format (v1)'), 'the-workflow-format-v1');
  assert.equal(
    slug('The library API: embedding the runner'),
    'the-library-api-embedding-the-runner',
  );
  assert.equal(slug('snake_case and-hyphens'), 'snake_case-and-hyphens');
});

test('the link check sees links and reports broken ones (it is not vacuous)', () => {
  const links = documentationFiles().flatMap((file) => relativeLinks(readFileSync(file, 'utf8')));
  assert.ok(links.length > 10, `found only ${links.length} relative links`);
  assert.ok(
    links.some(({ target }) => target.includes('#')),
    'some links carry an anchor',
  );

  const readme = path.join(REPO_ROOT, 'README.md');
  const text = [
    '[a missing page](docs/no-such-page.md)',
    '[a missing heading](docs/format.md#no-such-heading)',
    '[a missing heading here](#no-such-heading-either)',
    '[a good one](docs/format.md#diagnostic-codes) and [an outside one](https://example.com/x)',
    '```md',
    '[inside a fence](docs/also-missing.md)',
    '```',
    '`[inside a code span](docs/missing-too.md)`',
  ].join('\n');
  assert.deepEqual(brokenLinks(readme, text), [
    'README.md:1: docs/no-such-page.md: no such file or folder',
    'README.md:2: docs/format.md#no-such-heading: no heading with the anchor #no-such-heading',
    'README.md:3: #no-such-heading-either: no heading with the anchor #no-such-heading-either',
  ]);
});
