// The built, publishable packages as an app or a server receives them: @lifeguard/core (with its
// on-device entry) and @lifeguard/pdq's pure entry. Checks the exports map, that the on-device entries
// import no Node built-ins, the size budget, that plain Node (no TypeScript loader) can use them from
// node_modules, and that they work where WebAssembly is missing (React Native's Hermes).
//
// Size budget (CI fails above it): the on-device bundle an app ships, @lifeguard/core/on-device with
// zod, minified and gzipped, at most 150 KB; @lifeguard/pdq/pure at most 40 KB.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, type Plugin } from 'esbuild';
import { ensureBuilt, ROOT } from '../../../scripts/ensure-built.mjs';
import { PdqHasher } from '../../pdq/src/pure.ts';
import { hashToHex } from '../../pdq/src/hex.ts';

export const BUDGET_CORE_GZIP = 150 * 1024;
export const BUDGET_PDQ_GZIP = 40 * 1024;
const CORE = join(ROOT, 'packages/core/dist');
const PDQ = join(ROOT, 'packages/pdq/dist');
/** The entries apps import on a device: these must not touch Node. */
const ON_DEVICE_ENTRIES = [join(CORE, 'index.js'), join(CORE, 'on-device/index.js'), join(PDQ, 'pure.js')];

const NODE_BUILTINS = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** Bundles an entry for a browser; `nodeImports` collects every Node built-in it reaches. */
async function bundle(entry: string, nodeImports: string[] = []): Promise<Uint8Array> {
  const catchBuiltins: Plugin = {
    name: 'catch-node-builtins',
    setup(b) {
      b.onResolve({ filter: /.*/ }, (args) => {
        if (!NODE_BUILTINS.has(args.path)) return undefined;
        nodeImports.push(`${args.path} (from ${args.importer.replace(ROOT, '')})`);
        return { path: args.path, external: true };
      });
    },
  };
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    write: false,
    logLevel: 'silent',
    nodePaths: [join(ROOT, 'node_modules')],
    plugins: [catchBuiltins],
  });
  return (result.outputFiles[0] as { contents: Uint8Array }).contents;
}

/** A node_modules folder holding the two packages as npm would install them, plus zod. */
function installed(): string {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-pkg-'));
  mkdirSync(join(dir, 'node_modules/@lifeguard'), { recursive: true });
  symlinkSync(CORE, join(dir, 'node_modules/@lifeguard/core'));
  symlinkSync(PDQ, join(dir, 'node_modules/@lifeguard/pdq'));
  symlinkSync(join(ROOT, 'node_modules/zod'), join(dir, 'node_modules/zod'));
  return dir;
}

/** An app's script, run by plain node (no tsx), from a folder where the packages are installed. */
const APP = `
import { OnDeviceGuard } from '@lifeguard/core/on-device';
import { PdqHasher, hashToHex } from '@lifeguard/pdq/pure';
const guard = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
const lines = ['how old r u?', 'im 34 but age is just a number. ur so mature for 13', 'lets keep this between us ok? delete our chat',
  'add me on snap its easier to talk there', 'send me a pic of u so i know ur real', 'we could meet at the mall saturday, i can pick u up'];
let update;
lines.forEach((text, i) => { update = guard.observe({ id: 'r' + i, conversationId: 'c', senderId: 'rick', recipientIds: ['mia'], text, time: 1e12 + i * 60000 }); });
const w = 600, h = 400, px = new Uint8Array(w * h * 3);
for (let i = 0; i < px.length; i++) px[i] = ((i * 7919) % 251) ^ ((i / 3 / w) | 0);
const hasher = new PdqHasher();
const { hash, quality } = hasher.hashPixels(px, w, h, 3);
console.log(JSON.stringify({ webAssembly: typeof WebAssembly, level: update.level, warning: update.warning?.reasons.map((r) => r.kind) ?? null, kernel: hasher.kernel, hash: hashToHex(hash), quality }));
`;

function runApp(
  dir: string,
  nodeArgs: string[],
): { webAssembly: string; level: string; warning: string[] | null; kernel: string; hash: string; quality: number } {
  writeFileSync(join(dir, 'app.mjs'), APP);
  const run = spawnSync(process.execPath, [...nodeArgs, 'app.mjs'], {
    cwd: dir,
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  assert.equal(run.status, 0, `the app script failed: ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1) as string);
}

function referenceHash(): string {
  const w = 600,
    h = 400,
    px = new Uint8Array(w * h * 3);
  for (let i = 0; i < px.length; i++) px[i] = ((i * 7919) % 251) ^ ((i / 3 / w) | 0);
  return hashToHex(new PdqHasher({ kernel: 'js' }).hashPixels(px, w, h, 3).hash);
}

describe('the built packages', { timeout: 600_000 }, () => {
  before(async () => {
    await ensureBuilt();
  });

  it('have package.json exports maps whose JavaScript and declarations exist', () => {
    const core = JSON.parse(readFileSync(join(CORE, 'package.json'), 'utf8'));
    const pdq = JSON.parse(readFileSync(join(PDQ, 'package.json'), 'utf8'));
    assert.deepEqual(Object.keys(core.exports), ['.', './on-device'], 'core exports its index and the on-device entry');
    assert.ok('./pure' in pdq.exports, 'pdq exports its pure entry');
    for (const [dir, manifest] of [
      [CORE, core],
      [PDQ, pdq],
    ] as const) {
      assert.equal(manifest.type, 'module', `${manifest.name} is ESM`);
      assert.equal(manifest.private, undefined, `${manifest.name} is publishable`);
      for (const [key, target] of Object.entries(
        manifest.exports as Record<string, { types: string; default: string }>,
      )) {
        assert.ok(existsSync(join(dir, target.default)), `${manifest.name} ${key}: ${target.default} exists`);
        assert.ok(existsSync(join(dir, target.types)), `${manifest.name} ${key}: ${target.types} exists`);
      }
    }
    assert.ok(!readFileSync(join(CORE, 'on-device/guard.js'), 'utf8').includes('.ts"'), 'built imports name .js files');
  });

  it('import no Node built-ins from the on-device entries', async () => {
    for (const entry of ON_DEVICE_ENTRIES) {
      const found: string[] = [];
      await bundle(entry, found);
      assert.deepEqual(found, [], `${entry.replace(ROOT, '')} must not import Node built-ins`);
    }
  });

  it(`stay within the size budget (core on-device ${BUDGET_CORE_GZIP / 1024} KB, pdq pure ${BUDGET_PDQ_GZIP / 1024} KB, minified and gzipped)`, async () => {
    const core = gzipSync(await bundle(join(CORE, 'on-device/index.js')), { level: 9 }).length;
    const pdq = gzipSync(await bundle(join(PDQ, 'pure.js')), { level: 9 }).length;
    assert.ok(
      core <= BUDGET_CORE_GZIP,
      `@lifeguard/core/on-device with zod is ${(core / 1024).toFixed(1)} KB gzipped, over its budget of ${BUDGET_CORE_GZIP / 1024} KB`,
    );
    assert.ok(
      pdq <= BUDGET_PDQ_GZIP,
      `@lifeguard/pdq/pure is ${(pdq / 1024).toFixed(1)} KB gzipped, over its budget of ${BUDGET_PDQ_GZIP / 1024} KB`,
    );
  });

  it('work from node_modules in plain Node, with the WebAssembly PDQ kernel where there is WebAssembly', () => {
    const dir = installed();
    try {
      const out = runApp(dir, []);
      assert.equal(out.webAssembly, 'object', 'this Node has WebAssembly');
      assert.ok(out.warning?.includes('secrecy'), `the guard warns with reasons, got ${JSON.stringify(out)}`);
      assert.equal(out.kernel, 'wasm', 'the WebAssembly kernel is chosen where it can run');
      assert.equal(out.hash, referenceHash(), 'the same hash as the TypeScript sources');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('work without WebAssembly (as on Hermes): the PDQ TypeScript kernel is chosen by itself, same results', () => {
    const dir = installed();
    try {
      // --jitless removes the WebAssembly global, as JavaScript engines without a JIT lack it.
      const out = runApp(dir, ['--jitless']);
      assert.equal(out.webAssembly, 'undefined', 'WebAssembly is unavailable in this run');
      assert.ok(out.warning?.includes('secrecy'), `the guard warns with reasons, got ${JSON.stringify(out)}`);
      assert.equal(out.kernel, 'js', 'the TypeScript kernel is chosen automatically');
      assert.equal(out.hash, referenceHash(), 'the same hash as with WebAssembly');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
