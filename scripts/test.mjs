#!/usr/bin/env node
// Runs every *.test.ts in the workspace with node's own test runner (TypeScript via tsx)
// and ends with one plain "N passed, N failed, N skipped" line that CI and people can read, after
// the reason for each skip (a part this machine lacks: PostgreSQL, Chromium, NATS, shared test data).
// Usage: npm test [-- <path filter substring>...]
// LIFEGUARD_REQUIRE_ALL=1 (set by CI) turns a missing PostgreSQL, Chromium or NATS into a failing test
// (see packages/storage/src/testEnvironment.ts).
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const filters = process.argv.slice(2);
const skipDirs = new Set(['node_modules', 'dist', '.git']);

function collect(dir, out) {
  for (const name of readdirSync(dir)) {
    if (skipDirs.has(name)) continue;
    const full = join(dir, name);
    if (statSync(full).isDirectory()) collect(full, out);
    else if (name.endsWith('.test.ts')) out.push(relative(root, full));
  }
  return out;
}

const files = ['packages', 'bench', 'scripts']
  .flatMap((d) => {
    try {
      return collect(join(root, d), []);
    } catch {
      return [];
    }
  })
  .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
  .sort();
if (files.length === 0) {
  console.error('no test files matched');
  process.exit(1);
}

// A hung test file fails after 10 minutes instead of holding CI until its own limit. (Seen: on
// Node 20 under tsx, a failing assert.ok() without a message can wait for ever while it looks up
// the asserting source line; give every assert.ok a message.) The slowest file takes under a minute.
const FILE_TIMEOUT_MS = 600_000;
const skipDir = mkdtempSync(join(tmpdir(), 'lifeguard-test-'));
const skipFile = join(skipDir, 'skips.jsonl');
const child = spawn(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    `--test-timeout=${FILE_TIMEOUT_MS}`,
    '--test-reporter=spec',
    '--test-reporter-destination=stdout',
    `--test-reporter=${join(root, 'scripts/skip-reporter.mjs')}`,
    `--test-reporter-destination=${skipFile}`,
    ...files,
  ],
  {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, LIFEGUARD_TEST: '1' },
  },
);
const counts = { pass: 0, fail: 0, cancelled: 0, skipped: 0, todo: 0 };
let buf = '';
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  buf += chunk.toString();
  const lines = buf.split('\n');
  buf = lines.pop() ?? '';
  for (const line of lines) {
    const m = /^\u2139 (pass|fail|cancelled|skipped|todo) (\d+)$/.exec(line.trim());
    if (m) counts[m[1]] = Number(m[2]);
  }
});
function readSkips() {
  try {
    return readFileSync(skipFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line));
  } catch {
    return [];
  } finally {
    rmSync(skipDir, { recursive: true, force: true });
  }
}

child.on('close', (code) => {
  const skips = readSkips();
  // Node counts skipped tests but not skipped suites; each skipped suite counts once here.
  const skippedSuites = skips.filter((s) => s.suite).length;
  const skipped = counts.skipped + skippedSuites;
  console.log(`\n${files.length} test files`);
  if (skips.length > 0) {
    // reason -> where: a skipped suite by name, skipped tests as a count per file.
    const byReason = new Map();
    for (const s of skips) {
      const where = byReason.get(s.reason) ?? new Map();
      byReason.set(s.reason, where);
      const key = s.suite ? `suite "${s.name}"` : relative(root, s.file ?? '');
      where.set(key, (where.get(key) ?? 0) + 1);
    }
    console.log('\nSkipped:');
    for (const [reason, where] of byReason) {
      console.log(`- ${reason}`);
      for (const [key, n] of where)
        console.log(`    ${key.startsWith('suite ') ? key : `${key} (${n} test${n === 1 ? '' : 's'})`}`);
    }
  }
  // A test cancelled because its suite's set-up failed did not pass: it counts as failed.
  const failed = counts.fail + counts.cancelled;
  const suites = skippedSuites ? ` (${skippedSuites} of them whole suites)` : '';
  console.log(
    `${counts.pass} passed, ${failed} failed${counts.cancelled ? ` (${counts.cancelled} cancelled)` : ''}, ${skipped} skipped${suites}`,
  );
  process.exit(code ?? 1);
});
