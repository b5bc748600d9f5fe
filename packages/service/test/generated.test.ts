import { it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT, generatedFiles } from '../src/tools/generated.ts';

it('keeps docs/openapi.json and the example policy files current (regenerate: node --import tsx packages/service/src/tools/generate.ts)', async () => {
  for (const [path, expected] of Object.entries(await generatedFiles())) {
    let actual = '';
    try {
      actual = readFileSync(join(REPO_ROOT, path), 'utf8');
    } catch {
      assert.fail(`${path} is missing`);
    }
    assert.equal(actual, expected, `${path} is stale`);
  }
});
