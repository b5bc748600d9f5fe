#!/usr/bin/env node
// Starts the CLI from its built JavaScript (scripts/build.mjs, run by `npm install`), which starts in
// a fraction of the time the TypeScript sources take through tsx. The build is used only while it is
// newer than every source file it came from; after an edit, or with LIFEGUARD_FROM_SOURCE=1, the
// sources run through tsx as before (`npm run build:js` makes the fast path current again).
import { readFileSync, statSync } from 'node:fs';

function currentBuild() {
  if (process.env.LIFEGUARD_FROM_SOURCE === '1') return false;
  try {
    const info = JSON.parse(readFileSync(new URL('../dist/build-info.json', import.meta.url), 'utf8'));
    const root = new URL('../../../', import.meta.url);
    for (const input of info.inputs) {
      const stat = statSync(new URL(input, root), { throwIfNoEntry: false });
      if (!stat || stat.mtimeMs >= info.builtAt) return false;
    }
    return true;
  } catch {
    return false;
  }
}

if (currentBuild()) {
  await import('../dist/main.js');
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/main.ts');
}
