// Image decode for PDQ, full size against shrink-on-load (a large JPEG decoded at reduced scale by
// libjpeg, then resized; packages/pdq/src/decode.ts): time per file, decode + hash, both measured in
// this run with the rounds interleaved, and the hash drift, the Hamming distance between the two hashes.
//
//   npm run bench -- imageDecode
//
// Images: every JPEG of the shared PDQ reference set (../shared/testdata/pdq/images), and the largest
// picture of each Plasma wallpaper (Debian's plasma-workspace-wallpapers, /usr/share/wallpapers; PNGs
// re-encoded here as JPEG quality 90), ordinary photos and renders up to 5120x2880. Either set is left
// out, saying so, when absent. Prints progress to stderr and, as its last stdout line,
// {"title","markdown"} for docs/benchmarks.md.
//
// Side by side with Meta's C++ reference: PDQ_REFERENCE_BIN=/path/to/pdq-hash times that binary
// on the same bytes in the same rounds, both as every pixel and as upstream pdq-photo-hasher's
// 512×512 squash (how to build it: docs/pdq.md, "Timing against the C++ reference").
import { execFileSync, execSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import { DEFAULT_SHRINK_MIN_SIDE, decodeImage, type DecodeOptions } from '../packages/pdq/src/decode.ts';
import { hammingDistance } from '../packages/pdq/src/hamming.ts';
import { hexToHash } from '../packages/pdq/src/hex.ts';
import { PdqHasher } from '../packages/pdq/src/pdq.ts';

const log = (msg: string): void => {
  process.stderr.write(`[imageDecode.bench] ${msg}\n`);
};
const title = 'Image decode for PDQ: shrink-on-load';
const root = new URL('..', import.meta.url).pathname;
const shared = join(root, '..', 'shared', 'testdata', 'pdq', 'images');
const wallpapers = '/usr/share/wallpapers';
const ROUNDS = 7;
/** Other short sides, for the drift a smaller rule would cost (not timed). */
const OTHER_MIN_SIDES = [720, 512];

// One libvips thread: a per-core figure, and the two modes compete for nothing.
sharp.concurrency(1);
const hasher = new PdqHasher();
const referenceBin = process.env.PDQ_REFERENCE_BIN;
const referenceNote = !referenceBin
  ? 'PDQ_REFERENCE_BIN is unset'
  : existsSync(referenceBin)
    ? null
    : `PDQ_REFERENCE_BIN (${referenceBin}) does not exist`;
if (referenceNote) log(`C++ reference not timed: ${referenceNote}`);
/** What the binary says it was built from: libjpeg version, compiler, flags. */
const referenceVersion = referenceNote ? '' : execFileSync(referenceBin!, ['--version']).toString().trim();

interface Image {
  set: 'reference' | 'wallpaper';
  name: string;
  bytes: Buffer;
}

function jpegsUnder(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...jpegsUnder(p));
    else if (/\.jpe?g$/i.test(f)) out.push(p);
  }
  return out;
}

const images: Image[] = [];
const notes: string[] = [];
if (existsSync(shared)) {
  for (const p of jpegsUnder(shared))
    images.push({ set: 'reference', name: p.slice(shared.length + 1), bytes: readFileSync(p) });
} else notes.push(`the shared reference images (${shared}) are absent`);
if (existsSync(wallpapers)) {
  for (const name of readdirSync(wallpapers).sort()) {
    const dir = join(wallpapers, name, 'contents', 'images');
    if (!existsSync(dir)) continue;
    // The largest picture of the wallpaper, by pixels (file names are WIDTHxHEIGHT).
    const best = readdirSync(dir)
      .map((f) => ({ f, m: /^(\d+)x(\d+)\.(jpg|png)$/.exec(f) }))
      .filter((x) => x.m)
      .sort((a, b) => Number(b.m![1]) * Number(b.m![2]) - Number(a.m![1]) * Number(a.m![2]))[0];
    if (!best) continue;
    const path = join(dir, best.f);
    const bytes = best.f.endsWith('.png')
      ? await sharp(path).removeAlpha().jpeg({ quality: 90 }).toBuffer()
      : readFileSync(path);
    images.push({ set: 'wallpaper', name: `${name}/${best.f.replace('.png', '.png→jpg')}`, bytes });
  }
} else notes.push(`no wallpapers at ${wallpapers} (apt-get install plasma-workspace-wallpapers)`);
if (images.length === 0) {
  console.log(JSON.stringify({ title, markdown: `Not measured: ${notes.join('; ')}.\n` }));
  process.exit(0);
}

async function hashWith(bytes: Buffer, options: DecodeOptions) {
  const t0 = performance.now();
  const image = await decodeImage(bytes, options);
  const t1 = performance.now();
  const r = hasher.hashPixels(image.pixels, image.width, image.height, image.channels);
  const t2 = performance.now();
  return { hash: r.hash, image, decodeMs: t1 - t0, hashMs: t2 - t1 };
}

/** The C++ reference's own timing of one file (decode from memory + hash), warmed once in-process. */
function referenceHash(path: string, squash512: boolean): { hash: string; ms: number } {
  const args = ['--warm', ...(squash512 ? ['--cimg512'] : []), path];
  const [hash, , ms] = execFileSync(referenceBin!, args).toString().trim().split('\t');
  return { hash: hash!, ms: Number(ms) };
}
/** Bits between the C++ tool's hex hash and one of ours. */
const bits = (hex: string, ours: Uint32Array) => hammingDistance(hexToHash(hex), ours);

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

interface Row {
  image: Image;
  width: number;
  height: number;
  shrunkTo: string | null;
  drift: number;
  other: (number | null)[];
  full?: { decode: number; hash: number };
  shrink?: { decode: number; hash: number };
  /** The C++ reference: median ms every pixel and with the 512×512 squash; bits from our hashes. */
  cpp?: { full: number; squash: number; bitsFull: number; bitsShrink: number };
}

// The C++ tool reads files: the timed images' bytes (wallpaper PNGs re-encoded) go to a temp folder.
const refDir = referenceNote ? null : mkdtempSync(join(tmpdir(), 'pdq-ref-'));

const rows: Row[] = [];
for (const image of images) {
  const full = await hashWith(image.bytes, { shrinkOnLoad: false });
  const def = await hashWith(image.bytes, {});
  const other: (number | null)[] = [];
  for (const minSide of OTHER_MIN_SIDES) {
    const o = await hashWith(image.bytes, { shrinkMinSide: minSide });
    other.push(o.image.shrunkOnLoad ? hammingDistance(full.hash, o.hash) : null);
  }
  const row: Row = {
    image,
    width: full.image.width,
    height: full.image.height,
    shrunkTo: def.image.shrunkOnLoad ? `${def.image.width}×${def.image.height}` : null,
    drift: hammingDistance(full.hash, def.hash),
    other,
  };
  if (def.image.shrunkOnLoad) {
    // Timed: the two modes alternate, round by round, so that a busy moment hits both.
    await hashWith(image.bytes, { shrinkOnLoad: false });
    await hashWith(image.bytes, {});
    const f = { decode: [] as number[], hash: [] as number[] };
    const s = { decode: [] as number[], hash: [] as number[] };
    const c = { full: [] as number[], squash: [] as number[] };
    let refPath: string | null = null;
    let refHash = '';
    if (refDir) {
      refPath = join(refDir, `${rows.length}.jpg`);
      writeFileSync(refPath, image.bytes);
      refHash = referenceHash(refPath, false).hash;
    }
    for (let r = 0; r < ROUNDS; r++) {
      if (refPath) {
        c.full.push(referenceHash(refPath, false).ms);
        c.squash.push(referenceHash(refPath, true).ms);
      }
      const a = await hashWith(image.bytes, { shrinkOnLoad: false });
      f.decode.push(a.decodeMs);
      f.hash.push(a.hashMs);
      const b = await hashWith(image.bytes, {});
      s.decode.push(b.decodeMs);
      s.hash.push(b.hashMs);
    }
    row.full = { decode: median(f.decode), hash: median(f.hash) };
    row.shrink = { decode: median(s.decode), hash: median(s.hash) };
    if (refPath)
      row.cpp = {
        full: median(c.full),
        squash: median(c.squash),
        bitsFull: bits(refHash, full.hash),
        bitsShrink: bits(refHash, def.hash),
      };
    log(
      `${image.name}: full ${(row.full.decode + row.full.hash).toFixed(1)} ms, shrink ${(row.shrink.decode + row.shrink.hash).toFixed(1)} ms, drift ${row.drift}${row.cpp ? `, C++ ${row.cpp.full.toFixed(1)} ms (512 squash ${row.cpp.squash.toFixed(1)})` : ''}`,
    );
  }
  rows.push(row);
}
if (refDir) rmSync(refDir, { recursive: true, force: true });

const timed = rows.filter((r) => r.full && r.shrink);
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const fullTotal = sum(timed.map((r) => r.full!.decode + r.full!.hash));
const shrinkTotal = sum(timed.map((r) => r.shrink!.decode + r.shrink!.hash));
const fullDecode = sum(timed.map((r) => r.full!.decode));
const shrinkDecode = sum(timed.map((r) => r.shrink!.decode));
const fmt = (x: number) => x.toFixed(1);

const lines: string[] = [];
lines.push(`### ${title}`, '');
lines.push(
  `Large JPEGs decoded at reduced scale (libjpeg's scaled IDCT through sharp, then a cubic resize to ${DEFAULT_SHRINK_MIN_SIDE} px on the short side; only JPEGs whose short side is at least ${3 * DEFAULT_SHRINK_MIN_SIDE} px) against decoding every pixel, one libvips thread. Time per file is decode + PDQ hash, the median of ${ROUNDS} interleaved rounds; drift is the Hamming distance between the two hashes (a match is ≤ 31).`,
  '',
);
if (timed.length > 0) {
  lines.push(
    `**Speed, ${timed.length} images shrunk by the default rule: ${(fullTotal / shrinkTotal).toFixed(2)}× faster per file** (${fmt(fullTotal)} ms → ${fmt(shrinkTotal)} ms in all; decoding alone ${(fullDecode / shrinkDecode).toFixed(2)}×). Largest drift ${Math.max(...timed.map((r) => r.drift))} bits.`,
    '',
  );
  lines.push('| image | size | hashed at | full: decode + hash (ms) | shrink-on-load (ms) | speed-up | drift (bits) |');
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of timed) {
    const f = r.full!.decode + r.full!.hash;
    const s = r.shrink!.decode + r.shrink!.hash;
    lines.push(
      `| ${r.image.set === 'reference' ? 'reference' : 'wallpaper'} ${r.image.name} | ${r.width}×${r.height} | ${r.shrunkTo} | ${fmt(r.full!.decode)} + ${fmt(r.full!.hash)} | ${fmt(r.shrink!.decode)} + ${fmt(r.shrink!.hash)} | ${(f / s).toFixed(2)}× | ${r.drift} |`,
    );
  }
  lines.push('');
}
const withCpp = timed.filter((r) => r.cpp);
if (withCpp.length > 0) {
  const ours = (r: Row) => r.shrink!.decode + r.shrink!.hash;
  const half = (key: 'full' | 'squash') => withCpp.filter((r) => ours(r) <= r.cpp![key] / 2).length;
  lines.push(
    `**Against Meta's C++ reference** (\`${referenceBin}\`, built as docs/pdq.md describes: the hashing core transcribed from facebook/ThreatExchange \`pdq/cpp\` behind a libjpeg driver written for this bench; it reports "${referenceVersion}"; its own timing of decode from memory + hash, warmed once per process, median of the same ${ROUNDS} rounds). "C++" decodes and hashes every pixel, as the reference hashes were made; "C++ 512" first squashes the image to 512×512 by nearest neighbour, as today's \`pdq-photo-hasher\` does through CImg. Goal: a file in at most half the C++ tool's time. Shrink-on-load is within half of "C++" on **${half('full')} of ${withCpp.length}** images and within half of "C++ 512" on **${half('squash')} of ${withCpp.length}**. Bits: our hash against the C++ every-pixel hash (conformance tolerance 10).`,
    '',
  );
  lines.push(
    '| image | C++ (ms) | C++ 512 (ms) | ours full (ms) | ours shrink-on-load (ms) | shrink / C++ | shrink / C++ 512 | bits full / shrink |',
  );
  lines.push('| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of withCpp) {
    const f = r.full!.decode + r.full!.hash;
    const s = ours(r);
    lines.push(
      `| ${r.image.set} ${r.image.name} | ${fmt(r.cpp!.full)} | ${fmt(r.cpp!.squash)} | ${fmt(f)} | ${fmt(s)} | ${(s / r.cpp!.full).toFixed(2)} | ${(s / r.cpp!.squash).toFixed(2)} | ${r.cpp!.bitsFull} / ${r.cpp!.bitsShrink} |`,
    );
  }
  lines.push('');
} else if (timed.length > 0) {
  lines.push(`Against Meta's C++ reference: not timed (${referenceNote ?? 'no timed image'}; see docs/pdq.md).`, '');
}
lines.push(
  '**Drift by rule** (bits between the shrunk and the full-size hash; images the rule does not shrink are hashed exactly as before):',
  '',
);
lines.push('| images | count | short side kept | shrunk | drift max | drift mean |');
lines.push('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const set of ['reference', 'wallpaper'] as const) {
  const inSet = rows.filter((r) => r.image.set === set);
  if (inSet.length === 0) continue;
  const label = set === 'reference' ? 'shared PDQ reference JPEGs' : 'Plasma wallpapers';
  const cols: { side: string; drifts: number[] }[] = [
    { side: `${DEFAULT_SHRINK_MIN_SIDE} (default)`, drifts: inSet.filter((r) => r.shrunkTo).map((r) => r.drift) },
    ...OTHER_MIN_SIDES.map((side, i) => ({
      side: String(side),
      drifts: inSet.map((r) => r.other[i]).filter((d): d is number => d !== null && d !== undefined),
    })),
  ];
  for (const c of cols) {
    const max = c.drifts.length ? String(Math.max(...c.drifts)) : '–';
    const mean = c.drifts.length ? (sum(c.drifts) / c.drifts.length).toFixed(1) : '–';
    lines.push(`| ${label} | ${inSet.length} | ${c.side} | ${c.drifts.length} | ${max} | ${mean} |`);
  }
}
lines.push('');
let nproc = '';
let model = '';
try {
  nproc = execSync('nproc').toString().trim();
  model = execSync('lscpu | grep "Model name"').toString().trim().replace(/\s+/g, ' ');
} catch {
  // not on Linux: the runner's machine line still says what it ran on
}
lines.push(
  `Command: \`${referenceNote ? '' : `PDQ_REFERENCE_BIN=${referenceBin} `}npm run bench -- imageDecode\`. Machine: \`nproc\` ${nproc || '?'}, \`${model || 'lscpu: unavailable'}\`, load average at the end ${loadavg()
    .map((x) => x.toFixed(2))
    .join(' ')}.${notes.length ? ` Left out: ${notes.join('; ')}.` : ''}`,
);
console.log(JSON.stringify({ title, markdown: `${lines.join('\n')}\n` }));
