// Start-up time of the `lifeguard` command: the built JavaScript (scripts/build.mjs, what
// bin/lifeguard.mjs runs while the build is current) against the TypeScript sources through tsx
// (LIFEGUARD_FROM_SOURCE=1, what every command did before), each as a ratio to a bare `node -e 0`
// on the same machine in the same run. Goal: `lifeguard --version` under 0.25 s.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { ensureBuilt, ROOT } from '../scripts/ensure-built.mjs';

const ROUNDS = 11;
const BIN = join(ROOT, 'packages/cli/bin/lifeguard.mjs');
const loadAtStart = loadavg()[0] as number;

await ensureBuilt();
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-startup-'));
const image = join(dir, 'gradient.png');
const w = 640,
  h = 480,
  px = Buffer.alloc(w * h * 3);
for (let i = 0; i < px.length; i++) px[i] = ((i % (w * 3)) / 3 + Math.floor(i / (w * 3))) % 256;
await sharp(px, { raw: { width: w, height: h, channels: 3 } })
  .png()
  .toFile(image);

interface Case {
  label: string;
  args: string[];
  source?: boolean;
}
const CASES: Case[] = [
  { label: '`node -e 0` (bare Node)', args: ['-e', '0'] },
  { label: '`lifeguard --version`, built', args: [BIN, '--version'] },
  { label: '`lifeguard --version`, sources through tsx', args: [BIN, '--version'], source: true },
  {
    label: '`lifeguard scan examples/grooming-scenario.jsonl`, built',
    args: [BIN, 'scan', 'examples/grooming-scenario.jsonl', '--no-progress'],
  },
  {
    label: '`lifeguard scan examples/grooming-scenario.jsonl`, sources through tsx',
    args: [BIN, 'scan', 'examples/grooming-scenario.jsonl', '--no-progress'],
    source: true,
  },
  { label: '`lifeguard hash IMAGE` (one 640×480 PNG), built', args: [BIN, 'hash', image] },
  { label: '`lifeguard hash IMAGE` (one 640×480 PNG), sources through tsx', args: [BIN, 'hash', image], source: true },
];

function once(c: Case): number {
  const env = { ...process.env, LIFEGUARD_FROM_SOURCE: c.source ? '1' : '0', NODE_OPTIONS: '' };
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, c.args, { cwd: ROOT, env, stdio: ['ignore', 'ignore', 'pipe'] });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (run.status !== 0) throw new Error(`${c.label} exited with ${run.status}: ${run.stderr}`);
  return seconds;
}

const times = CASES.map(() => [] as number[]);
for (const c of CASES) once(c); // warm the file cache
// Rounds interleave the cases, so that a burst of load on a shared machine hits all of them alike.
for (let r = 0; r < ROUNDS; r++) {
  CASES.forEach((c, i) => {
    times[i]?.push(once(c));
  });
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;
const medians = times.map(median);
const bare = medians[0] as number;
const lines = [
  '### CLI start-up',
  '',
  `Wall time from spawn to exit, median of ${ROUNDS} interleaved rounds (goal: \`lifeguard --version\` under 0.25 s):`,
  '',
  '| command | median (s) | × bare node |',
  '|---|---:|---:|',
];
CASES.forEach((c, i) => {
  lines.push(`| ${c.label} | ${(medians[i] as number).toFixed(3)} | ${((medians[i] as number) / bare).toFixed(1)}× |`);
});
lines.push('');
lines.push(
  'Method: `node --expose-gc --import tsx bench/startup.bench.ts` (`npm run bench -- startup`). "Built" is what `npx lifeguard` runs after `npm install` ' +
    '(scripts/build.mjs, while the build is newer than every source); "sources through tsx" is `LIFEGUARD_FROM_SOURCE=1`, as every command ran before. ' +
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at start ` +
    '(a shared machine under load slows every row, bare Node included; the ratios carry over better than the seconds).',
);
console.log(JSON.stringify({ title: 'CLI start-up', markdown: `${lines.join('\n')}\n` }));
