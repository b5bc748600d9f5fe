// The core's own tests, run a second time against its built package (packages/core/dist): every
// import of packages/core/src/*.ts or on-device/*.ts loads the built .js instead (built-core-hooks.mjs),
// so what is published behaves as what is tested.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ensureBuilt, ROOT } from '../../../scripts/ensure-built.mjs';

const TEST_DIR = join(ROOT, 'packages/core/test');
/** Tests of the build itself, and this file, are not run again. */
const NOT_AGAIN = new Set(['built.test.ts', 'package.test.ts']);

function run(files: string[]): Promise<{ code: number | null; out: string }> {
  // A test runner started from a test sees NODE_TEST_CONTEXT and refuses to run files.
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--import', join(TEST_DIR, 'built-core.mjs'), '--test', '--test-reporter=tap', ...files],
      {
        cwd: ROOT,
        env: { ...env, NODE_OPTIONS: '' },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    child.on('close', (code) => resolve({ code, out }));
  });
}

describe("the core's tests against the built package", { timeout: 600_000 }, () => {
  before(async () => {
    await ensureBuilt();
  });

  it('pass with every core module loaded from packages/core/dist', async () => {
    const files = readdirSync(TEST_DIR)
      .filter((f) => f.endsWith('.test.ts') && !f.includes('.browser.') && !NOT_AGAIN.has(f))
      .map((f) => join(TEST_DIR, f));
    assert.ok(files.length >= 5, `expected the core's test files, found ${files.length}`);
    const { code, out } = await run(files);
    assert.match(out, /core modules load from packages\/core\/dist/, 'the modules were redirected to the build');
    const pass = Number(/^# pass (\d+)/m.exec(out)?.[1] ?? 0);
    const fail = Number(/^# fail (\d+)/m.exec(out)?.[1] ?? -1);
    assert.ok(pass > 50, `expected the core's tests to run against the build, ${pass} passed:\n${out.slice(-3000)}`);
    assert.equal(
      fail,
      0,
      `core tests failing against the build:\n${out
        .split('\n')
        .filter((l) => /^not ok/.test(l.trim()))
        .join('\n')}`,
    );
    assert.equal(code, 0, `the run exited with ${code}`);
  });
});
