// Module hooks that run the core's tests against its built package: every import that resolves to
// packages/core/src/X.ts (or on-device/X.ts) loads packages/core/dist/X.js (dist/on-device/X.js)
// instead. Registered after tsx by built-core.mjs (see built.test.ts), so tsx still compiles the
// test files themselves.

const SOURCE = /\/packages\/core\/(src|on-device)\/(.+)\.ts$/;
let announced = false;

export async function resolve(specifier, context, nextResolve) {
  const result = await nextResolve(specifier, context);
  const m = SOURCE.exec(result.url);
  if (!m) return result;
  if (!announced) {
    announced = true;
    process.stderr.write('lifeguard: core modules load from packages/core/dist\n');
  }
  const built = m[1] === 'src' ? `dist/${m[2]}.js` : `dist/on-device/${m[2]}.js`;
  return { ...result, url: result.url.replace(SOURCE, `/packages/core/${built}`), format: 'module' };
}
