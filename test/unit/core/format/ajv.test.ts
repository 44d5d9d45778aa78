// The one module that builds Ajv instances: Lockstep's own schemas compile strictly, schemas users
// write are compiled once per content and not kept by Ajv (two with one `$id` both work).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  compileOwnSchema,
  compileUserSchema,
  userSchemaProblem,
} from '../../../../core/src/format/ajv.js';
import { CONFIG_SCHEMA } from '../../../../core/src/validate/config.js';
import { FIXTURES_SCHEMA } from '../../../../core/src/providers/fixtures.js';
import { WORKFLOW_SCHEMA } from '../../../../core/src/format/schema.js';

test("Lockstep's own schemas compile in strict mode", () => {
  for (const schema of [WORKFLOW_SCHEMA, CONFIG_SCHEMA, FIXTURES_SCHEMA]) {
    assert.equal(typeof compileOwnSchema(schema), 'function');
  }
  assert.throws(() => compileOwnSchema({ type: 'object', propertiez: {} }), /unknown keyword/);
});

test('a user schema is compiled once per content, whatever its key order', () => {
  const a = compileUserSchema({ type: 'object', required: ['x'] });
  const b = compileUserSchema({ required: ['x'], type: 'object' });
  assert.equal(a, b);
  assert.equal(a({ x: 1 }), true);
  assert.equal(a({}), false);
});

test('two user schemas with the same $id both compile (Ajv does not keep them)', () => {
  const first = compileUserSchema({ $id: 'answer', type: 'string' });
  const second = compileUserSchema({ $id: 'answer', type: 'number' });
  assert.equal(first('a'), true);
  assert.equal(second(3), true);
  assert.equal(second('a'), false);
});

test('an invalid user schema is named, and nothing is compiled to say so', () => {
  assert.equal(userSchemaProblem({ type: 'object' }), undefined);
  assert.match(userSchemaProblem({ type: 'objekt' }) ?? '', /schema\/type/);
});
