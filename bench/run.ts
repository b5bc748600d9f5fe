// Runs every bench/*.bench.ts (or those whose name contains one of the arguments) one after the
// other, each in its own `node --expose-gc` process so that one benchmark's heap cannot skew the
// next, and writes docs/benchmarks.md. With a filter, only the matching sections are replaced and
// the others are kept from the existing file, so one area can be re-measured alone.
//
//   npm run bench              all benchmarks
//   npm run bench -- pdq       only bench files whose name contains "pdq"
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { basename, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const benchDir = join(root, 'bench');
const outFile = join(root, 'docs', 'benchmarks.md');
const filters = process.argv.slice(2);

interface Section {
  /** Bench file name without .bench.ts: the key used to replace sections later. */
  name: string;
  title: string;
  markdown: string;
}

const SECTION_START = (name: string) => `<!-- bench:${name} -->`;
const SECTION_END = (name: string) => `<!-- /bench:${name} -->`;

function parseLastJsonLine(stdout: string): { title: string; markdown: string } | null {
  const lines = stdout.trimEnd().split('\n');
  const last = lines.at(-1);
  if (!last) return null;
  try {
    const value = JSON.parse(last) as { title?: unknown; markdown?: unknown };
    if (typeof value.title === 'string' && typeof value.markdown === 'string')
      return { title: value.title, markdown: value.markdown };
  } catch {
    // fall through
  }
  return null;
}

function runBench(file: string): Promise<Section> {
  const name = basename(file).replace(/\.bench\.ts$/, '');
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, ['--expose-gc', '--import', 'tsx', file], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      process.stderr.write(chunk);
    });
    child.on('close', (code) => {
      const seconds = ((Date.now() - started) / 1000).toFixed(1);
      const parsed = code === 0 ? parseLastJsonLine(stdout) : null;
      if (parsed) {
        console.log(`  ${name}: done in ${seconds} s`);
        resolve({ name, ...parsed });
        return;
      }
      console.log(`  ${name}: FAILED (exit ${code}) after ${seconds} s`);
      const tail = (stderr || stdout).trim().split('\n').slice(-15).join('\n');
      resolve({
        name,
        title: name,
        markdown: `### ${name}\n\nThe benchmark did not finish (exit code ${code}). Last output:\n\n\`\`\`\n${tail}\n\`\`\`\n`,
      });
    });
  });
}

/** Sections of an earlier docs/benchmarks.md, by bench name. */
function previousSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(outFile)) return sections;
  const text = readFileSync(outFile, 'utf8');
  const pattern = /<!-- bench:([\w.-]+) -->\n([\s\S]*?)<!-- \/bench:\1 -->/g;
  for (const match of text.matchAll(pattern)) sections.set(match[1]!, match[2]!.trimEnd());
  return sections;
}

function machine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  const memory = (totalmem() / 1024 ** 3).toFixed(1);
  return `${model}, ${cpu.length} cores, ${memory} GiB memory, Node ${process.version} (${process.platform} ${process.arch})`;
}

async function main() {
  const files = readdirSync(benchDir)
    .filter((f) => f.endsWith('.bench.ts'))
    .filter((f) => filters.length === 0 || filters.some((s) => f.includes(s)))
    .sort();
  if (files.length === 0) {
    console.error(`no bench/*.bench.ts matches ${filters.join(', ')}`);
    process.exit(1);
  }
  console.log(`running ${files.length} benchmark${files.length === 1 ? '' : 's'}: ${files.join(', ')}`);
  const fresh = new Map<string, string>();
  for (const file of files) {
    // Other work on the machine slows benchmarks down; the load when one starts is recorded with it.
    const load = loadavg()[0]!.toFixed(1);
    const section = await runBench(join('bench', file));
    // Each section records where and when it was measured: kept sections may come from other runs.
    const stamp = `_Measured ${new Date().toISOString().slice(0, 10)} on ${machine()}; load average ${load} at the start._`;
    fresh.set(section.name, `${section.markdown.trimEnd()}\n\n${stamp}`);
  }
  const all = filters.length > 0 ? previousSections() : new Map<string, string>();
  for (const [name, markdown] of fresh) all.set(name, markdown);

  const command = `npm run bench${filters.length > 0 ? ` -- ${filters.join(' ')}` : ''}`;
  const header = [
    '# Benchmarks',
    '',
    'Written by `bench/run.ts`; do not edit by hand. Re-measure everything with `npm run bench`, or one area with',
    '`npm run bench -- <name>` (the other sections are kept as they were).',
    '',
    `- Last run: \`${command}\` on ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC`,
    `- Machine: ${machine()}`,
    all.size > fresh.size
      ? `- Re-measured in this run: ${[...fresh.keys()].join(', ')}; the other sections are from earlier runs (see their own dates).`
      : '- Every section below was measured in this run.',
    '',
    'Figures from different sections are not directly comparable unless measured on the same machine in the same run.',
    '',
  ].join('\n');
  const body = [...all.keys()]
    .sort()
    .map((name) => `${SECTION_START(name)}\n${all.get(name)}\n${SECTION_END(name)}\n`)
    .join('\n');
  mkdirSync(join(root, 'docs'), { recursive: true });
  writeFileSync(outFile, `${header}\n${body}`);
  console.log(`wrote ${outFile}`);
}

await main();
