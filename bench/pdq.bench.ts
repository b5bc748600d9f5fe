// PDQ benchmark: hashing speed (excluding decode) and bank lookup time at distance <= 31.
//
//   node --expose-gc --import tsx bench/pdq.bench.ts [--quick]
//
// Prints progress to stderr and, as its last stdout line, {"title","markdown"} for
// docs/benchmarks.md. --quick (or PDQ_BENCH_SIZES=100000,1000000) measures smaller banks.
import { existsSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { hashImageFile } from '../packages/pdq/src/imageHash.ts';
import { PdqHasher, PdqIndex, xorshift32, type IndexMatch } from '../packages/pdq/src/pure.ts';

const root = new URL('..', import.meta.url).pathname;
const bridgeJpeg = join(root, '..', 'shared', 'testdata', 'pdq', 'images', 'dih', 'bridge-1-original.jpg');
const haveBridge = existsSync(bridgeJpeg);
const quick = process.argv.includes('--quick');
const bankSizes = (process.env.PDQ_BENCH_SIZES ?? (quick ? '100000,1000000' : '1000000,10000000'))
  .split(',')
  .map(Number);
const log = (msg: string): void => {
  process.stderr.write(`[pdq.bench] ${msg}\n`);
};
const gc = (globalThis as { gc?: () => void }).gc ?? (() => {});
const loadAtStart = loadavg()[0]!;

// ------------------------------------------------------------------ hashing

interface HashFigure {
  input: string;
  msPerHash: number;
  perSecond: number;
}

async function pixelsFor(
  width: number | undefined,
  height: number | undefined,
): Promise<{ data: Uint8Array; width: number; height: number; label: string }> {
  if (haveBridge) {
    let img = sharp(bridgeJpeg);
    if (width && height) img = img.resize(width, height, { fit: 'fill' });
    const { data, info } = await img.removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return {
      data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      width: info.width,
      height: info.height,
      label: 'photo',
    };
  }
  // Without the shared photo: a benign synthetic picture (gradient plus noise).
  const w = width ?? 1600;
  const h = height ?? 1004;
  const data = new Uint8Array(w * h * 3);
  let s = 12345;
  for (let i = 0; i < data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    data[i] = ((i % (w * 3)) / 12 + (s >>> 27)) & 255;
  }
  return { data, width: w, height: h, label: 'synthetic' };
}

function timeHashing(run: () => void, minMs: number): number {
  return timeInterleaved([run], minMs)[0]!;
}

/**
 * Best-of-five ms per call for each of `runs`, their timed rounds interleaved (A, B, A, B, ...)
 * so that a busy moment on a shared machine falls on all of them alike.
 */
function timeInterleaved(runs: (() => void)[], minMs: number): number[] {
  // Warm up for at least a second: the filter loops are large and V8 optimises them in the
  // background, so a fixed small count of calls can leave the first figure unoptimised.
  for (const run of runs) {
    const warmStart = performance.now();
    for (let i = 0; i < 30 || performance.now() - warmStart < 1000; i++) run();
  }
  // Best of five timed rounds: other processes on a shared machine only ever add time.
  const best = runs.map(() => Infinity);
  for (let round = 0; round < 5; round++) {
    runs.forEach((run, k) => {
      let n = 0;
      const t0 = performance.now();
      let elapsed = 0;
      while (elapsed < minMs / 5) {
        run();
        n++;
        elapsed = performance.now() - t0;
      }
      best[k] = Math.min(best[k]!, elapsed / n);
    });
  }
  return best;
}

const KERNEL_LABEL = { wasm: 'WebAssembly kernel', js: 'TypeScript kernel' } as const;

async function hashingFigures(): Promise<{ figures: HashFigure[]; endToEnd?: HashFigure }> {
  const hasher = new PdqHasher(); // the default: WebAssembly where the runtime has it
  const fallback = new PdqHasher({ kernel: 'js' }); // what runtimes without WebAssembly get
  const kernel = KERNEL_LABEL[hasher.kernel];
  const figures: HashFigure[] = [];
  for (const [w, h] of [
    [512, 512],
    [1024, 1024],
    [undefined, undefined],
  ] as const) {
    const img = await pixelsFor(w, h);
    const label = `${img.width}×${img.height} RGB ${img.label}`;
    if (w === 512 && fallback.kernel !== hasher.kernel) {
      // Both kernels in the same run, interleaved, so that their ratio is meaningful.
      const [ms, msJs] = timeInterleaved(
        [
          () => hasher.hashPixels(img.data, img.width, img.height, 3),
          () => fallback.hashPixels(img.data, img.width, img.height, 3),
        ],
        1500,
      );
      figures.push({ input: `${label} (${kernel})`, msPerHash: ms!, perSecond: 1000 / ms! });
      figures.push({
        input: `${label} (${KERNEL_LABEL.js}, the fallback: ${(msJs! / ms!).toFixed(1)}× the time)`,
        msPerHash: msJs!,
        perSecond: 1000 / msJs!,
      });
      log(`hash ${img.width}x${img.height}: ${ms!.toFixed(2)} ms (${hasher.kernel}), ${msJs!.toFixed(2)} ms (js)`);
    } else {
      const ms = timeHashing(() => hasher.hashPixels(img.data, img.width, img.height, 3), 1500);
      figures.push({ input: `${label} (${kernel})`, msPerHash: ms, perSecond: 1000 / ms });
      log(`hash ${img.width}x${img.height}: ${ms.toFixed(2)} ms (${hasher.kernel})`);
    }
    if (w === 512) {
      const msD = timeHashing(() => hasher.dihedralPixels(img.data, img.width, img.height, 3), 1000);
      figures.push({
        input: `${img.width}×${img.height}, all 8 dihedral hashes (${kernel})`,
        msPerHash: msD,
        perSecond: 1000 / msD,
      });
    }
  }
  let endToEnd: HashFigure | undefined;
  if (haveBridge) {
    for (let i = 0; i < 5; i++) await hashImageFile(bridgeJpeg, { hasher });
    const n = 20;
    const t0 = performance.now();
    for (let i = 0; i < n; i++) await hashImageFile(bridgeJpeg, { hasher });
    const ms = (performance.now() - t0) / n;
    endToEnd = {
      input: '1600×1004 JPEG file: read + decode (sharp) + MD5/SHA-256 + PDQ',
      msPerHash: ms,
      perSecond: 1000 / ms,
    };
  }
  return endToEnd ? { figures, endToEnd } : { figures };
}

// ------------------------------------------------------------------ lookup

interface LookupFigure {
  size: number;
  buildSeconds: number;
  indexMiB: number;
  chunkBits: string;
  queries: number;
  p50: number;
  p99: number;
  cpuP50: number;
  cpuP99: number;
  max: number;
  mean: number;
  worstP99: number;
  recall: string;
  linearMean: number;
  linearQueries: number;
  agree: boolean;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length * p) / 100))]!;
}

function sameMatches(a: IndexMatch[], b: IndexMatch[]): boolean {
  return a.length === b.length && a.every((m, i) => m.ref === b[i]!.ref && m.distance === b[i]!.distance);
}

function lookupFigures(n: number): LookupFigure {
  const next = xorshift32(n);
  let words: Uint32Array | undefined = new Uint32Array(n * 8);
  for (let i = 0; i < words.length; i++) words[i] = next();
  const refs = new Uint32Array(n);
  for (let i = 0; i < n; i++) refs[i] = i;
  gc();
  // Half the queries are stored hashes with 0..31 bits flipped (a planted near match each),
  // half are fresh random hashes (no match expected).
  const queries = 2000;
  const q = new Uint32Array(queries * 8);
  const planted: number[] = [];
  for (let i = 0; i < queries; i++) {
    if (i % 2 === 0) {
      const target = next() % n;
      q.set(words.subarray(target * 8, target * 8 + 8), i * 8);
      const flips = new Set<number>();
      const want = next() % 32;
      while (flips.size < want) flips.add(next() % 256);
      for (const b of flips) q[i * 8 + (b >>> 5)] = (q[i * 8 + (b >>> 5)]! ^ (1 << (b & 31))) >>> 0;
      planted.push(target);
    } else {
      for (let k = 0; k < 8; k++) q[i * 8 + k] = next();
      planted.push(-1);
    }
  }
  log(`bank of ${n}: building`);
  const t0 = performance.now();
  // Copy in, free the generated array, then build the tables: peak memory is one copy.
  const index = new PdqIndex({ tailMinimum: Number.POSITIVE_INFINITY });
  index.addMany(words, refs);
  words = undefined;
  gc();
  index.rebuild();
  const buildSeconds = (performance.now() - t0) / 1000;
  const stats = index.stats();
  log(
    `bank of ${n}: built in ${buildSeconds.toFixed(1)} s, ${(stats.bytes / 2 ** 20).toFixed(0)} MiB, chunks ${stats.chunkBits.join('/')}`,
  );
  gc();
  for (let i = 0; i < 200; i++) index.search(q, 31, (i % queries) * 8); // warm-up
  // Three rounds over all queries; the best round is reported (other processes on a shared
  // machine only ever add time) next to the worst round's p99.
  let best: number[] | undefined;
  let bestCpu: number[] = [];
  let worstP99 = 0;
  let found = 0;
  let plantedCount = 0;
  const results: IndexMatch[][] = [];
  for (let round = 0; round < 3; round++) {
    const times: number[] = [];
    const cpuTimes: number[] = [];
    for (let i = 0; i < queries; i++) {
      // Wall time, and this process's CPU time, which leaves out time spent waiting for a core
      // that other work on a shared machine holds.
      const c = process.cpuUsage();
      const t = performance.now();
      const r = index.search(q, 31, i * 8);
      times.push(performance.now() - t);
      const used = process.cpuUsage(c);
      cpuTimes.push((used.user + used.system) / 1000);
      if (round === 0) {
        results.push(r);
        if (planted[i]! >= 0) {
          plantedCount++;
          if (r.some((m) => m.ref === planted[i])) found++;
        }
      }
    }
    times.sort((a, b) => a - b);
    cpuTimes.sort((a, b) => a - b);
    worstP99 = Math.max(worstP99, percentile(times, 99));
    if (!best || percentile(times, 99) < percentile(best, 99)) {
      best = times;
      bestCpu = cpuTimes;
    }
  }
  const sorted = best!;
  const linearQueries = n >= 5_000_000 ? 40 : 150;
  let linearTotal = 0;
  let agree = true;
  for (let i = 0; i < linearQueries; i++) {
    const t = performance.now();
    const r = index.linearScan(q, 31, i * 8);
    linearTotal += performance.now() - t;
    if (!sameMatches(r, results[i]!)) agree = false;
  }
  const fig: LookupFigure = {
    size: n,
    buildSeconds,
    indexMiB: stats.bytes / 2 ** 20,
    chunkBits: summarizeBits(stats.chunkBits),
    queries,
    p50: percentile(sorted, 50),
    p99: percentile(sorted, 99),
    cpuP50: percentile(bestCpu, 50),
    cpuP99: percentile(bestCpu, 99),
    max: sorted.at(-1)!,
    mean: sorted.reduce((a, b) => a + b, 0) / queries,
    worstP99,
    recall: `${found}/${plantedCount}`,
    linearMean: linearTotal / linearQueries,
    linearQueries,
    agree,
  };
  log(
    `bank of ${n}: p50 ${fig.p50.toFixed(3)} ms, p99 ${fig.p99.toFixed(3)} ms (CPU ${fig.cpuP50.toFixed(3)} / ${fig.cpuP99.toFixed(3)} ms), linear ${fig.linearMean.toFixed(1)} ms`,
  );
  return fig;
}

function summarizeBits(bits: number[]): string {
  const counts = new Map<number, number>();
  for (const b of bits) counts.set(b, (counts.get(b) ?? 0) + 1);
  return [...counts].map(([b, c]) => `${c}×${b}`).join(' + ');
}

/** Peak resident set size so far (getrusage maxRSS is in KiB on Linux). */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

// ------------------------------------------------------------------ report

const f2 = (x: number): string => x.toFixed(2);
const f3 = (x: number): string => x.toFixed(3);

const { figures, endToEnd } = await hashingFigures();
const lookups: LookupFigure[] = [];
for (const n of bankSizes) {
  lookups.push(lookupFigures(n));
  gc();
}
const rssMiB = peakRss() / 2 ** 20;
const hugePages = /glibc\.malloc\.hugetlb=[12]/.test(process.env.GLIBC_TUNABLES ?? '');

const lines: string[] = [];
lines.push('### PDQ image matching');
lines.push('');
lines.push(
  '**Hashing, excluding decode** (one core, pixels already in memory; goal ≥ 300 hashes/s per core, C++ reference ~550/s, which hashes at most 512×512 after its own pre-resize):',
);
lines.push('');
lines.push('| input | ms per hash | hashes/s per core |');
lines.push('|---|---:|---:|');
for (const f of figures) lines.push(`| ${f.input} | ${f2(f.msPerHash)} | ${f.perSecond.toFixed(0)} |`);
if (endToEnd) lines.push(`| ${endToEnd.input} | ${f2(endToEnd.msPerHash)} | ${endToEnd.perSecond.toFixed(0)} |`);
lines.push('');
lines.push(
  '**Lookup at Hamming distance ≤ 31** (random 256-bit hashes; half the queries have a planted near match 0–31 bits away; goal p99 < 1 ms at 10 million, memory < 2 GB):',
);
lines.push('');
lines.push(
  '| bank size | build (s) | index memory (MiB) | chunks (bits) | p50 (ms) | p99 (ms) | max (ms) | p99, worst round (ms) | CPU time per query p50 / p99 (ms) | planted found | linear scan mean (ms) | speed-up | same results |',
);
lines.push('|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---|');
for (const l of lookups) {
  lines.push(
    `| ${l.size.toLocaleString('en')} | ${l.buildSeconds.toFixed(1)} | ${l.indexMiB.toFixed(0)} | ${l.chunkBits} | ${f3(l.p50)} | ${f3(l.p99)} | ${f3(l.max)} | ${f3(l.worstP99)} | ${f3(l.cpuP50)} / ${f3(l.cpuP99)} | ${l.recall} | ${l.linearMean.toFixed(1)} | ${(l.linearMean / l.mean).toFixed(0)}× | ${l.agree ? 'yes' : '**NO**'} (${l.linearQueries} queries) |`,
  );
}
lines.push('');
lines.push(
  `Method: hashing times are the best of five timed rounds after warm-up (the two 512×512 kernels' rounds interleaved); lookups are ${lookups[0]?.queries ?? 0} queries per bank through the multi-index (\`PdqIndex.search\`), timed in three rounds (best round shown, with the worst round's p99; the CPU-time columns are the same round's per-query CPU time of this process, which leaves out waiting for a core), compared in the same run with a linear scan (\`linearScan\`) over the same stored hashes. ` +
    `Process peak RSS ${rssMiB.toFixed(0)} MiB. Memory pages: ${hugePages ? 'transparent huge pages asked for (`GLIBC_TUNABLES=glibc.malloc.hugetlb=1`)' : 'default (4 KB; `GLIBC_TUNABLES=glibc.malloc.hugetlb=1` asks glibc for huge pages, see docs/pdq.md)'}. Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}, load average ${loadAtStart.toFixed(2)} at start (other work on a shared machine inflates tail latencies).`,
);
const markdown = `${lines.join('\n')}\n`;
console.log(JSON.stringify({ title: 'PDQ image matching', markdown }));
