// Makes sure the build (scripts/build.mjs) is newer than every source it came from, building it if
// not; for tests that exercise the built packages. Test files run in parallel: one builds while
// the others wait on a lock directory (mkdir is atomic), then find the build current.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const ROOT = new URL('..', import.meta.url).pathname;
const INFO = join(ROOT, 'packages/cli/dist/build-info.json');
const LOCK = join(ROOT, 'packages/cli/.build-lock');

/** True when the last build is newer than every one of its sources (and produced declarations). */
export function buildIsCurrent() {
  try {
    const info = JSON.parse(readFileSync(INFO, 'utf8'));
    if (!info.types) return false;
    return info.inputs.every((input) => {
      const stat = statSync(join(ROOT, input), { throwIfNoEntry: false });
      return stat !== undefined && stat.mtimeMs < info.builtAt;
    });
  } catch {
    return false;
  }
}

export async function ensureBuilt() {
  for (let waited = 0; !buildIsCurrent(); waited += 200) {
    try {
      mkdirSync(LOCK);
    } catch {
      if (waited > 300_000) throw new Error(`waited 5 minutes for another build (remove ${LOCK} if none runs)`);
      await new Promise((r) => setTimeout(r, 200));
      continue;
    }
    try {
      if (!buildIsCurrent())
        execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
        });
    } finally {
      rmSync(LOCK, { recursive: true, force: true });
    }
  }
}
