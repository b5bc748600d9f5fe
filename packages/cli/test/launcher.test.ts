// bin/lifeguard.mjs picks what to run: the built JavaScript while the build is newer than every
// source it came from, else the TypeScript sources through tsx (so an edit is never hidden by an
// old build). Tried on a small copy of the layout, so the real build is not touched.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = new URL('../../../', import.meta.url).pathname;
let dir: string;

function launch(env: Record<string, string> = {}): string {
  const run = spawnSync(process.execPath, [join(dir, 'packages/cli/bin/lifeguard.mjs')], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '', LIFEGUARD_FROM_SOURCE: '', ...env },
  });
  assert.equal(run.status, 0, `the launcher failed: ${run.stderr}`);
  return run.stdout.trim();
}

/** Writes the fake build's record: built at `builtAt`, from the one source file. */
function record(builtAt: number, inputs = ['packages/cli/src/main.ts']): void {
  writeFileSync(join(dir, 'packages/cli/dist/build-info.json'), JSON.stringify({ builtAt, types: true, inputs }));
}

describe('bin/lifeguard.mjs', () => {
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'lifeguard-launcher-'));
    for (const d of ['packages/cli/bin', 'packages/cli/src', 'packages/cli/dist'])
      mkdirSync(join(dir, d), { recursive: true });
    copyFileSync(join(ROOT, 'packages/cli/bin/lifeguard.mjs'), join(dir, 'packages/cli/bin/lifeguard.mjs'));
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    writeFileSync(join(dir, 'packages/cli/package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'packages/cli/dist/main.js'), "console.log('built');\n");
    writeFileSync(join(dir, 'packages/cli/src/main.ts'), "const from: string = 'sources';\nconsole.log(from);\n");
    const sourceTime = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'packages/cli/src/main.ts'), sourceTime, sourceTime);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the build while it is newer than its sources', () => {
    record(Date.now() - 1000);
    assert.equal(launch(), 'built', 'the built JavaScript runs');
  });

  it('runs the sources through tsx once a source is newer than the build', () => {
    record(Date.now() - 120_000);
    assert.equal(launch(), 'sources', 'the edited sources run');
  });

  it('runs the sources when a source the build came from is gone, or there is no build record', () => {
    record(Date.now(), ['packages/cli/src/main.ts', 'packages/cli/src/removed.ts']);
    assert.equal(launch(), 'sources', 'a missing input makes the build stale');
    writeFileSync(join(dir, 'packages/cli/dist/build-info.json'), '{not json');
    assert.equal(launch(), 'sources', 'an unreadable record means no usable build');
  });

  it('runs the sources when LIFEGUARD_FROM_SOURCE=1', () => {
    record(Date.now());
    assert.equal(launch({ LIFEGUARD_FROM_SOURCE: '1' }), 'sources', 'the variable forces the sources');
  });
});

describe('lifeguard --version', () => {
  it("prints the CLI package's version", () => {
    const run = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/lifeguard.mjs'), '--version'], {
      encoding: 'utf8',
    });
    const { version } = JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')) as {
      version: string;
    };
    assert.equal(run.status, 0, `exit status: ${run.stderr}`);
    assert.equal(run.stdout.trim(), version, 'the version from packages/cli/package.json');
  });
});
