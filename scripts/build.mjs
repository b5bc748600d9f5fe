#!/usr/bin/env node
// Builds the workspace's TypeScript into plain JavaScript, so that nothing compiles at start-up:
//   packages/<pkg>/src/X.ts           -> packages/<pkg>/dist/X.js   (core, pdq, storage, service, cli)
//   packages/core/on-device/X.ts      -> packages/core/dist/on-device/X.js
// One output file per source file, at the same depth (files that find others by relative URL,
// such as the service's message catalogues, keep working), with `.ts` imports rewritten to `.js`
// and `@lifeguard/*` imports rewritten to the other package's built file. npm packages stay imports.
// Then type declarations and a publishable package.json for @lifeguard/core and @lifeguard/pdq
// (npm publish packages/core/dist), the on-device demo page (examples/on-device-chat/dist/index.html),
// and packages/cli/dist/build-info.json, which bin/lifeguard.mjs
// reads to run the build only while it is newer than every source it came from.
//
// Runs on `npm install` (the root package's "prepare") and in .ci/run. Usage:
//   node scripts/build.mjs            JavaScript, declarations, package manifests
//   node scripts/build.mjs --no-types JavaScript only (faster; what the CLI needs)
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const PACKAGES = ['core', 'pdq', 'storage', 'service', 'cli'];
/** Folders outside src/ compiled into dist/<folder>/ (entries added beside a package's sources). */
const EXTRA_DIRS = { core: ['on-device'] };
/** Packages built as publishable npm packages: their dist/ gets declarations and a package.json. */
const PUBLISHED = ['core', 'pdq'];
const withTypes = !process.argv.includes('--no-types');

const rel = (p) => relative(root, p).split('\\').join('/');

function walk(dir, out = []) {
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) walk(full, out);
    else out.push(full);
  }
  return out;
}

/** Where a source file's JavaScript goes, or null if it is not built. */
function outPath(file) {
  const m = /^packages\/([^/]+)\/([^/]+)\/(.+)\.(ts|mjs)$/.exec(rel(file));
  if (!m || !PACKAGES.includes(m[1]) || m[3].endsWith('.d')) return null;
  const [, pkg, top, rest] = m;
  if (top === 'src') return join(root, 'packages', pkg, 'dist', `${rest}.js`);
  if ((EXTRA_DIRS[pkg] ?? []).includes(top)) return join(root, 'packages', pkg, 'dist', top, `${rest}.js`);
  return null;
}

const sources = [];
const assets = [];
for (const pkg of PACKAGES) {
  const dirs = ['src', ...(EXTRA_DIRS[pkg] ?? [])].map((d) => join(root, 'packages', pkg, d));
  for (const file of dirs.flatMap((d) => walk(d))) {
    if (/\.test\.ts$/.test(file)) continue;
    if (file.endsWith('.ts') && !file.endsWith('.d.ts')) sources.push(file);
    else assets.push(file);
  }
}

/** The workspace package.json "exports" target of `@lifeguard/<pkg>[/sub]`, as a source file. */
function workspaceSource(specifier) {
  const m = /^@lifeguard\/([^/]+)(\/.*)?$/.exec(specifier);
  if (!m) return null;
  const manifest = JSON.parse(readFileSync(join(root, 'packages', m[1], 'package.json'), 'utf8'));
  const target = manifest.exports?.[m[2] ? `.${m[2]}` : '.'];
  if (typeof target !== 'string') throw new Error(`${specifier}: no such export in packages/${m[1]}/package.json`);
  return join(root, 'packages', m[1], target);
}

function relativeImport(fromOut, toOut) {
  const r = relative(dirname(fromOut), toOut).split('\\').join('/');
  return r.startsWith('.') ? r : `./${r}`;
}

// Bundling with every import external compiles each file alone while letting a plugin rewrite
// each import specifier (esbuild's plain transform leaves `./x.ts` as it is).
const rewriteImports = {
  name: 'rewrite-imports',
  setup(b) {
    b.onResolve({ filter: /.*/ }, (args) => {
      if (args.kind === 'entry-point') return undefined;
      const fromOut = outPath(args.importer);
      let target = null;
      if (args.path.startsWith('.')) target = resolve(args.resolveDir, args.path);
      else if (args.path.startsWith('@lifeguard/')) target = workspaceSource(args.path);
      if (target === null) return { path: args.path, external: true };
      const toOut = outPath(target);
      if (toOut === null) throw new Error(`${rel(args.importer)} imports ${args.path}, which is not built`);
      return { path: relativeImport(fromOut, toOut), external: true };
    });
  },
};

const started = Date.now();
for (const pkg of PACKAGES) rmSync(join(root, 'packages', pkg, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: sources.map((file) => ({ in: file, out: rel(outPath(file)).replace(/\.js$/, '') })),
  outdir: root,
  bundle: true,
  format: 'esm',
  platform: 'neutral',
  target: 'es2022',
  plugins: [rewriteImports],
  logLevel: 'warning',
  legalComments: 'none',
});

// Non-TypeScript files beside the sources (catalogues, schemas, the worker boot file) are read at
// run time relative to the module that uses them.
for (const file of assets) {
  const built = outPath(file.replace(/\.[^./]+$/, '.ts'));
  if (built === null) continue;
  const to = join(dirname(built), file.split('/').pop());
  mkdirSync(dirname(to), { recursive: true });
  copyFileSync(file, to);
}
// `new URL('./worker.ts', import.meta.url)` names a file to load at run time: point it at the .js.
for (const pkg of PACKAGES) {
  for (const file of walk(join(root, 'packages', pkg, 'dist')).filter((f) => f.endsWith('.js'))) {
    const text = readFileSync(file, 'utf8');
    const fixed = text.replace(
      /new URL\((["'])(\.{1,2}\/[^"']+)\.ts\1, import\.meta\.url\)/g,
      'new URL($1$2.js$1, import.meta.url)',
    );
    if (fixed !== text) writeFileSync(file, fixed);
  }
}

if (withTypes) {
  for (const pkg of PUBLISHED) {
    const dir = join(root, 'packages', pkg);
    const tmp = join(dir, 'dist', '.types');
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', join(dir, 'tsconfig.build.json'), '--outDir', tmp], {
      stdio: 'inherit',
    });
    // tsc mirrors the package root (src/, on-device/); the JavaScript has src/ at the top.
    for (const top of readdirSync(tmp)) {
      const to = top === 'src' ? join(dir, 'dist') : join(dir, 'dist', top);
      cpSync(join(tmp, top), to, { recursive: true });
    }
    rmSync(tmp, { recursive: true, force: true });
    writePublishManifest(pkg);
  }
}

/** dist/package.json: the workspace manifest with every export pointed at built files. */
function writePublishManifest(pkg) {
  const dir = join(root, 'packages', pkg);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const exportsMap = {};
  for (const [key, target] of Object.entries(manifest.exports)) {
    const js = relativeImport(join(dir, 'dist', 'package.json'), outPath(join(dir, target)));
    exportsMap[key] = { types: js.replace(/\.js$/, '.d.ts'), default: js };
  }
  const published = {
    name: manifest.name,
    version: manifest.version,
    description: manifest.description,
    license: 'Apache-2.0',
    type: 'module',
    sideEffects: false,
    exports: exportsMap,
    types: exportsMap['.'].types,
    dependencies: manifest.publishDependencies ?? manifest.dependencies,
    engines: { node: '>=20.9' },
  };
  writeFileSync(join(dir, 'dist', 'package.json'), `${JSON.stringify(published, null, 2)}\n`);
  if (existsSync(join(root, 'LICENSE'))) copyFileSync(join(root, 'LICENSE'), join(dir, 'dist', 'LICENSE'));
}

// The on-device demo page, from the SDK's built package (a full build only: --no-types is for the CLI).
if (withTypes) {
  const { buildDemo } = await import('../examples/on-device-chat/build.mjs');
  await buildDemo();
}

// What the built CLI came from: bin/lifeguard.mjs runs dist/ only while none of these is newer.
const cliDist = join(root, 'packages', 'cli', 'dist');
writeFileSync(
  join(cliDist, 'build-info.json'),
  `${JSON.stringify({ builtAt: started, types: withTypes, inputs: [...sources, ...assets, ...PACKAGES.map((p) => join(root, 'packages', p, 'package.json'))].map(rel).sort() })}\n`,
);
console.log(
  `lifeguard: built ${sources.length} modules${withTypes ? ` and the declarations of ${PUBLISHED.map((p) => `@lifeguard/${p}`).join(', ')}` : ''} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
);
