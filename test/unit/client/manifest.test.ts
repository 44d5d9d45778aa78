// The extension's half of package.json (one manifest serves the extension, the CLI and the
// library) and the .vscodeignore allow-list: what VS Code and vsce read, checked without them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { test } from 'node:test';
import { COMMANDS, SETTINGS, WORKFLOW_LANGUAGE_ID } from '../../../client/src/command-ids.js';
import { REPO_ROOT } from '../../helpers/paths.js';

interface Manifest {
  main: string;
  exports: Record<string, { default: string }>;
  bin: Record<string, string>;
  engines: { vscode: string };
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean | string } };
  devDependencies: Record<string, string>;
  dependencies: Record<string, string>;
  contributes: {
    languages: { id: string; extensions: string[]; configuration: string }[];
    grammars: { language?: string; scopeName: string; path: string; injectTo?: string[] }[];
    commands: { command: string; title: string; category?: string }[];
    configuration: { title: string; properties: Record<string, { markdownDescription?: string }> };
  };
}

const read = (file: string) => readFileSync(path.join(REPO_ROOT, file), 'utf8');
const manifest = JSON.parse(read('package.json')) as Manifest;
const json = (file: string) => JSON.parse(read(file)) as Record<string, unknown>;
/** `^1.95.0` → [1, 95]. */
const minor = (range: string) =>
  range
    .replace(/^[\^~>=]*/, '')
    .split('.')
    .slice(0, 2)
    .map(Number);

test('the extension entry is the bundle; the library and the CLI keep theirs', () => {
  assert.equal(manifest.main, './dist/extension.js');
  assert.equal(manifest.exports['.']!.default, './dist/core.js');
  assert.equal(manifest.bin['lockstep'], 'dist/cli.js');
});

test('VS Code versions: engines, @types/vscode and vscode-languageclient agree', () => {
  assert.equal(manifest.engines.vscode, '^1.95.0');
  // vsce refuses @types/vscode newer than engines.vscode.
  const [, typesMinor] = minor(manifest.devDependencies['@types/vscode']!);
  const [, engineMinor] = minor(manifest.engines.vscode);
  assert.ok(typesMinor! <= engineMinor!, 'pin @types/vscode to engines.vscode or older');
  const client = json('node_modules/vscode-languageclient/package.json') as {
    engines: { vscode: string };
  };
  assert.ok(minor(client.engines.vscode)[1]! <= engineMinor!, client.engines.vscode);
});

test('activation is lazy: a workflow file opened, one in the workspace, a stored version shown', () => {
  assert.deepEqual(manifest.activationEvents, [
    `onLanguage:${WORKFLOW_LANGUAGE_ID}`,
    'workspaceContains:**/*.workflow.{yaml,yml}',
    'onFileSystem:lockstep-version',
  ]);
  // Untrusted workspaces get what reads and stores versions; running workflows will need trust.
  assert.equal(manifest.capabilities.untrustedWorkspaces.supported, 'limited');
});

test('every command is `lockstep.<area>.<verb>`, in the Lockstep category, and registered', () => {
  const contributed = manifest.contributes.commands;
  for (const command of contributed) {
    assert.match(command.command, /^lockstep\.[a-z]+\.[a-z][A-Za-z]*$/);
    assert.equal(command.category, 'Lockstep', command.command);
  }
  assert.deepEqual(
    contributed.map((c) => c.command).sort(),
    Object.values(COMMANDS).sort(),
    'package.json and client/src/command-ids.ts list the same commands',
  );
});

test('settings sit in a titled section, each with a markdownDescription', () => {
  const { title, properties } = manifest.contributes.configuration;
  assert.equal(title, 'Lockstep');
  assert.ok(Object.keys(properties).length > 0);
  for (const [key, setting] of Object.entries(properties)) {
    assert.match(key, /^lockstep\./);
    assert.ok(setting.markdownDescription, `${key} has no markdownDescription`);
  }
  for (const id of Object.values(SETTINGS)) assert.ok(properties[id], `${id} is contributed`);
});

test('the workflow language: its files, YAML editing rules, YAML grammar plus expressions', () => {
  const [language] = manifest.contributes.languages;
  assert.equal(language?.id, WORKFLOW_LANGUAGE_ID);
  assert.deepEqual(language.extensions, ['.workflow.yaml', '.workflow.yml']);
  const configuration = json(language.configuration) as { comments: { lineComment: string } };
  assert.equal(configuration.comments.lineComment, '#');

  const grammars = manifest.contributes.grammars;
  const base = grammars.find((g) => g.language === WORKFLOW_LANGUAGE_ID);
  assert.ok(base);
  const baseGrammar = json(base.path) as { scopeName: string; patterns: { include: string }[] };
  assert.equal(baseGrammar.scopeName, base.scopeName);
  assert.deepEqual(baseGrammar.patterns, [{ include: 'source.yaml' }]);

  const injection = grammars.find((g) => g.injectTo?.includes(base.scopeName));
  assert.ok(injection, 'an expression grammar injected into workflow files');
  const expression = json(injection.path) as {
    scopeName: string;
    injectionSelector: string;
    repository: { expression: { begin: string; end: string } };
  };
  assert.equal(expression.scopeName, injection.scopeName);
  assert.match(expression.injectionSelector, /source\.lockstep-workflow/);
  const { begin, end } = expression.repository.expression;
  assert.ok(new RegExp(begin).test('${{') && new RegExp(end).test('}}'));
});

test('.vscodeignore is an allow-list that keeps everything the manifest points to', () => {
  const lines = read('.vscodeignore')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  assert.equal(lines[0], '**', 'starts by ignoring everything');
  const kept = lines.filter((l) => l.startsWith('!')).map((l) => l.slice(1));
  const isKept = (file: string) =>
    kept.some((p) => p === file || (p.endsWith('/**') && file.startsWith(p.slice(0, -2))));
  const needed = [
    manifest.main.replace(/^\.\//, ''),
    'dist/server.js', // started by the extension
    'dist/service.js', // started by the extension, one per workspace folder
    'dist/index-worker.js', // the service's store index runs in it
    'dist/sql-wasm.wasm', // which loads this
    'media/lockstep.svg', // the view container's icon
    'media/run-details.js', // the run details webview
    'media/run-details.css',
    'media/runner.js', // the runner view
    'media/runner.css',
    'media/comparison.js', // the comparison tab
    'media/comparison.css',
    'media/webview-base.css', // shared by every webview page
    'media/webview-dom.js',
    'dist/package.json', // makes the bundles CommonJS
    ...manifest.contributes.grammars.map((g) => g.path.replace(/^\.\//, '')),
    ...manifest.contributes.languages.map((l) => l.configuration.replace(/^\.\//, '')),
    'package.json',
    'README.md',
    'LICENSE',
  ];
  for (const file of needed) {
    assert.ok(isKept(file), `${file} is not re-included`);
    assert.ok(existsSync(path.join(REPO_ROOT, file)), `${file} does not exist (npm run build?)`);
  }
});
