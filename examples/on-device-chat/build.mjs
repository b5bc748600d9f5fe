// Builds the demo into one self-contained HTML file (the SDK and the chat inlined; nothing to load):
//   node examples/on-device-chat/build.mjs [outDir]     (default examples/on-device-chat/dist)
// The chat imports @lifeguard/core/on-device from the built package (packages/core/dist), as an app
// would from npm; run scripts/build.mjs first.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = fileURLToPath(new URL('.', import.meta.url));
const coreDist = join(here, '../../packages/core/dist');

export async function buildDemo(outDir = join(here, 'dist')) {
  const result = await build({
    entryPoints: [join(here, 'chat.ts')],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    logLevel: 'warning',
    alias: { '@lifeguard/core/on-device': join(coreDist, 'on-device/index.js') },
    nodePaths: [join(here, '../../node_modules')],
  });
  // `</script` inside the code would end the inline script early.
  const script = result.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  const html = readFileSync(join(here, 'index.html'), 'utf8').replace('/*SCRIPT*/', () => script);
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, 'index.html');
  writeFileSync(file, html);
  return file;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log(`lifeguard: on-device demo written to ${await buildDemo(process.argv[2])}`);
}
