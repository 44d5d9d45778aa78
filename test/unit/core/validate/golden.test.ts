// Golden validation cases: each input file sits beside the diagnostics it must produce.
//   test/fixtures/validation/single/<case>.workflow.yaml  +  <case>.expected.txt
//   test/fixtures/validation/workspaces/<case>/*.workflow.y(a)ml  +  expected.txt
// Run with LOCKSTEP_UPDATE_GOLDEN=1 to rewrite the expected files after an intended change, then
// review the diff like any other code change.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import type { Diagnostic } from '../../../../core/src/model/diagnostics.js';
import { validateWorkflowText } from '../../../../core/src/validate/validate-workflow.js';
import { validateWorkspaceFiles } from '../../../../core/src/validate/validate-workspace.js';
import { parseConfigText, validationSettings } from '../../../../core/src/validate/config.js';
import { FIXTURES } from '../../../helpers/paths.js';

const SINGLE = path.join(FIXTURES, 'validation/single');
const WORKSPACES = path.join(FIXTURES, 'validation/workspaces');
const UPDATE = process.env['LOCKSTEP_UPDATE_GOLDEN'] === '1';

function render(d: Diagnostic): string {
  const { start, end } = d.range;
  return `${start.line}:${start.column}-${end.line}:${end.column} ${d.severity} ${d.code}: ${d.message}`;
}

function compare(expectedFile: string, actual: string): void {
  if (UPDATE) {
    writeFileSync(expectedFile, actual);
    return;
  }
  assert.ok(
    existsSync(expectedFile),
    `${expectedFile} is missing: run the tests with LOCKSTEP_UPDATE_GOLDEN=1, then review it`,
  );
  assert.equal(actual, readFileSync(expectedFile, 'utf8'));
}

describe('golden validation cases: single files', () => {
  const cases = readdirSync(SINGLE).filter((f) => f.endsWith('.workflow.yaml'));
  test('there are cases to run', () => assert.ok(cases.length >= 20, `only ${cases.length} cases`));
  for (const file of cases) {
    test(file, () => {
      const text = readFileSync(path.join(SINGLE, file), 'utf8');
      const result = validateWorkflowText(text);
      const actual = result.diagnostics.map((d) => `${render(d)}\n`).join('');
      compare(path.join(SINGLE, file.replace('.workflow.yaml', '.expected.txt')), actual);
      // A file passes exactly when it has no errors; valid-* cases must pass.
      assert.equal(
        result.definition !== undefined,
        !result.diagnostics.some((d) => d.severity === 'error'),
      );
      if (file.startsWith('valid-')) assert.ok(result.definition, `${file} should be valid`);
    });
  }
});

describe('golden validation cases: workspaces', () => {
  for (const name of readdirSync(WORKSPACES)) {
    test(name, () => {
      const dir = path.join(WORKSPACES, name);
      const files = readdirSync(dir)
        .filter((f) => /\.workflow\.ya?ml$/.test(f))
        .sort()
        .map((f) => ({ file: f, text: readFileSync(path.join(dir, f), 'utf8') }));
      // A case may hold the workspace's settings as config.yaml (secrets, env allow-list).
      const configFile = path.join(dir, 'config.yaml');
      const settings = existsSync(configFile)
        ? validationSettings(parseConfigText(readFileSync(configFile, 'utf8')).config)
        : {};
      const results = validateWorkspaceFiles(files, settings);
      const actual = results
        .flatMap((r) => r.diagnostics.map((d) => `${r.file} ${render(d)}\n`))
        .join('');
      compare(path.join(dir, 'expected.txt'), actual);
    });
  }
});
