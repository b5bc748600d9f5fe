// Image decode for PDQ: a whole file (decode + hash) with shrink-on-load (packages/pdq/src/decode.ts)
// against decoding every pixel and against Meta's C++ tool, all measured in this run with the rounds
// interleaved, and the drift, the Hamming distance between the shrunk and the every-pixel hash.
//
//   npm run bench -- imageDecode
//
// Images: every JPEG of the shared PDQ reference set (../shared/testdata/pdq/images), and every
// distinct picture of each Plasma wallpaper (Debian's plasma-workspace-wallpapers, /usr/share/wallpapers;
// PNGs re-encoded here as JPEG quality 90), photos and renders from 720x1440 to 5120x2880. PNG and WebP:
// the shared PNGs and the wallpaper PNGs as they are, and every wallpaper's largest picture re-encoded
// as WebP quality 90. Either set is left out, saying so, when absent. Prints progress to stderr and,
// as its last stdout line, {"title","markdown"} for docs/benchmarks.md.
//
// Side by side with Meta's C++ reference: PDQ_REFERENCE_BIN=/path/to/pdq-hash times that binary on
// the same JPEG bytes in the same rounds, squashing to 512×512 after a full libjpeg decode as upstream
// pdq-photo-hasher does (how to build it: docs/pdq.md, "Timing against the C++ reference"). It reads
// JPEG only, so PNG and WebP are compared with our own every-pixel decode.
import { execFileSync, execSync } from 'node:child_process';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import sharp from 'sharp';
import {
  DEFAULT_SHRINK_MIN_SIDE,
  WEBP_SHRINK_SIDE,
  decodeImage,
  shrinkPlan,
  type DecodeOptions,
} from '../packages/pdq/src/decode.ts';
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
/** Other kept sides, for the drift another rule would cost (not timed). */
const OTHER_JPEG_SIDES = [960, 384];
const OTHER_WEBP_SIDES = [720, 512];

// One libvips thread: a per-core figure, like the single-threaded C++ tool.
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

type SetName = 'reference' | 'wallpaper';
interface Image {
  set: SetName;
  name: string;
  format: 'jpeg' | 'png' | 'webp';
  bytes: Buffer;
}

function filesUnder(dir: string, pattern: RegExp): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir).sort()) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p, pattern));
    else if (pattern.test(f)) out.push(p);
  }
  return out;
}

const images: Image[] = [];
const notes: string[] = [];
if (existsSync(shared)) {
  for (const p of filesUnder(shared, /\.jpe?g$/i))
    images.push({ set: 'reference', name: p.slice(shared.length + 1), format: 'jpeg', bytes: readFileSync(p) });
  for (const p of filesUnder(shared, /\.png$/i)) {
    const name = p.slice(shared.length + 1);
    const bytes = readFileSync(p);
    images.push({ set: 'reference', name, format: 'png', bytes });
    images.push({ set: 'reference', name: `${name}→webp`, format: 'webp', bytes: await toWebp(bytes) });
  }
} else notes.push(`the shared reference images (${shared}) are absent`);

async function toWebp(input: Buffer | string): Promise<Buffer> {
  return sharp(input).removeAlpha().webp({ quality: 90 }).toBuffer();
}

if (existsSync(wallpapers)) {
  for (const name of readdirSync(wallpapers).sort()) {
    const dir = join(wallpapers, name, 'contents', 'images');
    if (!existsSync(dir)) continue;
    // Distinct pictures (most sizes are links to one file), largest first; file names are WIDTHxHEIGHT.
    const seen = new Set<string>();
    const pictures = readdirSync(dir)
      .map((f) => ({ f, m: /^(\d+)x(\d+)\.(jpg|png)$/.exec(f) }))
      .filter((x) => x.m)
      .sort((a, b) => Number(b.m![1]) * Number(b.m![2]) - Number(a.m![1]) * Number(a.m![2]))
      .filter((x) => {
        const real = realpathSync(join(dir, x.f));
        if (seen.has(real)) return false;
        seen.add(real);
        return true;
      });
    for (const [i, { f }] of pictures.entries()) {
      const path = join(dir, f);
      if (f.endsWith('.png')) {
        const jpeg = await sharp(path).removeAlpha().jpeg({ quality: 90 }).toBuffer();
        images.push({ set: 'wallpaper', name: `${name}/${f}→jpg`, format: 'jpeg', bytes: jpeg });
        images.push({ set: 'wallpaper', name: `${name}/${f}`, format: 'png', bytes: readFileSync(path) });
      } else images.push({ set: 'wallpaper', name: `${name}/${f}`, format: 'jpeg', bytes: readFileSync(path) });
      if (i === 0)
        images.push({
          set: 'wallpaper',
          name: `${name}/${f}→webp`,
          format: 'webp',
          bytes: await toWebp(path),
        });
    }
  }
} else notes.push(`no wallpapers at ${wallpapers} (apt-get install plasma-workspace-wallpapers)`);
if (images.length === 0) {
  console.log(JSON.stringify({ title, markdown: `Not measured: ${notes.join('; ')}.\n` }));
  process.exit(0);
}

async function hashWith(bytes: Buffer, options: DecodeOptions) {
  const t0 = performance.now();
  const image = await decodeImage(bytes, options);
  const r = hasher.hashPixels(image.pixels, image.width, image.height, image.channels);
  return { hash: r.hash, image, ms: performance.now() - t0 };
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
  progressive: boolean;
  /** Size hashed by default, when shrunk on load. */
  shrunkTo: string | null;
  drift: number;
  /** Drift under the other kept sides (null: that rule does not shrink this image). */
  other: (number | null)[];
  /** Median ms per file, decode + hash. */
  full: number;
  ours: number;
  /** The C++ tool: median ms with the 512×512 squash; bits from the C++ every-pixel hash. */
  cpp?: { squash: number; bitsFull: number; bitsOurs: number; bitsSquash: number };
}

// The C++ tool reads files: the JPEG bytes (wallpaper PNGs re-encoded) go to a temp folder.
const refDir = referenceNote ? null : mkdtempSync(join(tmpdir(), 'pdq-ref-'));

const rows: Row[] = [];
for (const image of images) {
  const full = await hashWith(image.bytes, { shrinkOnLoad: false });
  const def = await hashWith(image.bytes, {});
  const other: (number | null)[] = [];
  for (const side of image.format === 'webp' ? OTHER_WEBP_SIDES : OTHER_JPEG_SIDES) {
    if (image.format === 'png') break;
    if (image.format === 'jpeg') {
      const o = await hashWith(image.bytes, { shrinkMinSide: side });
      other.push(o.image.shrunkOnLoad ? hammingDistance(full.hash, o.hash) : null);
    } else {
      // WebP keeps WEBP_SHRINK_SIDE; the other sides are what libwebp's scaler would drift at.
      const short = Math.min(full.image.width, full.image.height);
      if (short < 2 * side) {
        other.push(null);
        continue;
      }
      const { data, info } = await sharp(image.bytes, { pages: 1 })
        .resize(Math.round((full.image.width * side) / short), Math.round((full.image.height * side) / short), {
          fit: 'fill',
          kernel: 'cubic',
        })
        .removeAlpha()
        .raw()
        .toBuffer({ resolveWithObject: true });
      other.push(hammingDistance(full.hash, hasher.hashPixels(data, info.width, info.height, info.channels).hash));
    }
  }
  const meta = await sharp(image.bytes).metadata();
  const row: Row = {
    image,
    width: full.image.width,
    height: full.image.height,
    progressive: meta.isProgressive === true,
    shrunkTo: def.image.shrunkOnLoad ? `${def.image.width}×${def.image.height}` : null,
    drift: hammingDistance(full.hash, def.hash),
    other,
    full: 0,
    ours: 0,
  };
  // Timed: the modes alternate, round by round, so that a busy moment hits all of them.
  await hashWith(image.bytes, { shrinkOnLoad: false });
  await hashWith(image.bytes, {});
  const f: number[] = [];
  const o: number[] = [];
  const c: number[] = [];
  let refPath: string | null = null;
  let refFull = '';
  let refSquash = '';
  if (refDir && image.format === 'jpeg') {
    refPath = join(refDir, `${rows.length}.jpg`);
    writeFileSync(refPath, image.bytes);
    refFull = referenceHash(refPath, false).hash;
    refSquash = referenceHash(refPath, true).hash;
  }
  for (let r = 0; r < ROUNDS; r++) {
    if (refPath) c.push(referenceHash(refPath, true).ms);
    // The first call after the C++ process runs is the slower; take turns at it.
    if (r % 2 === 0) {
      f.push((await hashWith(image.bytes, { shrinkOnLoad: false })).ms);
      o.push((await hashWith(image.bytes, {})).ms);
    } else {
      o.push((await hashWith(image.bytes, {})).ms);
      f.push((await hashWith(image.bytes, { shrinkOnLoad: false })).ms);
    }
  }
  row.full = median(f);
  row.ours = median(o);
  if (refPath)
    row.cpp = {
      squash: median(c),
      bitsFull: bits(refFull, full.hash),
      bitsOurs: bits(refFull, def.hash),
      bitsSquash: bits(refFull, hexToHash(refSquash)),
    };
  log(
    `${image.name}: full ${row.full.toFixed(1)} ms, ours ${row.ours.toFixed(1)} ms, drift ${row.drift}${row.cpp ? `, C++ 512 ${row.cpp.squash.toFixed(1)} ms` : ''}`,
  );
  rows.push(row);
}
if (refDir) rmSync(refDir, { recursive: true, force: true });

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const fmt = (x: number) => x.toFixed(1);
const label = (r: Row) => `${r.image.set} ${r.image.name}${r.progressive ? ' (progressive)' : ''}`;
const short = (r: Row) => Math.min(r.width, r.height);

const lines: string[] = [];
lines.push(`### ${title}`, '');
lines.push(
  `A whole file, decode + PDQ hash, from bytes in memory: ours with shrink-on-load (the default: a JPEG decoded at 1/8, 1/4 or 1/2 scale by libjpeg's scaled IDCT through sharp, the smallest that keeps at least ${DEFAULT_SHRINK_MIN_SIDE} px on the short side after a cubic resize, so JPEGs from ${3 * DEFAULT_SHRINK_MIN_SIDE} px on the short side; a WebP from ${2 * WEBP_SHRINK_SIDE} px scaled to ${WEBP_SHRINK_SIDE} by libwebp while decoding; PNG and smaller files decoded in full; sequential reads), against decoding every pixel, one libvips thread. Times are medians of ${ROUNDS} interleaved rounds; drift is the Hamming distance between the shrunk and the every-pixel hash (conformance tolerance 10, a match ≤ 31).`,
  '',
);

const jpegs = rows.filter((r) => r.image.format === 'jpeg');
const withCpp = jpegs.filter((r) => r.cpp);
if (withCpp.length > 0) {
  const within = (rs: Row[]) => rs.filter((r) => r.ours <= r.cpp!.squash / 2).length;
  const groups: { name: string; rows: Row[] }[] = [
    { name: `large (short side ≥ 2,880)`, rows: withCpp.filter((r) => short(r) >= 2880) },
    {
      name: `mid-size (${3 * DEFAULT_SHRINK_MIN_SIDE}–2,879, shrunk)`,
      rows: withCpp.filter((r) => short(r) < 2880 && short(r) >= 3 * DEFAULT_SHRINK_MIN_SIDE),
    },
    {
      name: `small (under ${3 * DEFAULT_SHRINK_MIN_SIDE}, every pixel)`,
      rows: withCpp.filter((r) => short(r) < 3 * DEFAULT_SHRINK_MIN_SIDE),
    },
  ];
  const prog = withCpp.filter((r) => r.progressive);
  lines.push(
    `**JPEG against Meta's C++ tool** (\`${referenceBin}\`, built as docs/pdq.md describes: the hashing core transcribed from facebook/ThreatExchange \`pdq/cpp\` behind a libjpeg driver; it reports "${referenceVersion}"; its own timing of decode from memory + 512×512 nearest-neighbour squash + hash, as today's \`pdq-photo-hasher\` does, warmed once per process, median of the same ${ROUNDS} rounds). Goal: a file in at most half the C++ tool's time. **Within half on ${within(withCpp)} of ${withCpp.length} JPEGs**: ${groups.map((g) => `${g.name} ${within(g.rows)} of ${g.rows.length}`).join('; ')}; progressive ${within(prog)} of ${prog.length}. Drift: largest ${Math.max(...jpegs.map((r) => r.drift))} bits, mean ${(sum(jpegs.map((r) => r.drift)) / jpegs.length).toFixed(1)} over all ${jpegs.length} (${(sum(jpegs.filter((r) => r.shrunkTo).map((r) => r.drift)) / Math.max(1, jpegs.filter((r) => r.shrunkTo).length)).toFixed(1)} over the ${jpegs.filter((r) => r.shrunkTo).length} shrunk). Bits against the C++ every-pixel hash: ours every pixel / ours default / the C++ tool's own 512 squash.`,
    '',
  );
  lines.push(
    '| image | size | hashed at | C++ 512 (ms) | ours, every pixel (ms) | ours (ms) | ours / C++ 512 | drift (bits) | bits vs C++ every pixel: full / ours / C++ 512 |',
  );
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const r of withCpp) {
    const ratio = r.ours / r.cpp!.squash;
    lines.push(
      `| ${label(r)} | ${r.width}×${r.height} | ${r.shrunkTo ?? 'every pixel'} | ${fmt(r.cpp!.squash)} | ${fmt(r.full)} | ${fmt(r.ours)} | ${ratio <= 0.5 ? ratio.toFixed(2) : `**${ratio.toFixed(2)}**`} | ${r.drift} | ${r.cpp!.bitsFull} / ${r.cpp!.bitsOurs} / ${r.cpp!.bitsSquash} |`,
    );
  }
  lines.push('', "Bold: over half the C++ tool's time.", '');
} else if (jpegs.length > 0) {
  lines.push(`JPEG against Meta's C++ tool: not timed (${referenceNote}; see docs/pdq.md).`, '');
  lines.push('| image | size | hashed at | ours, every pixel (ms) | ours (ms) | speed-up | drift (bits) |');
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of jpegs)
    lines.push(
      `| ${label(r)} | ${r.width}×${r.height} | ${r.shrunkTo ?? 'every pixel'} | ${fmt(r.full)} | ${fmt(r.ours)} | ${(r.full / r.ours).toFixed(2)}× | ${r.drift} |`,
    );
  lines.push('');
}

const others = rows.filter((r) => r.image.format !== 'jpeg');
if (others.length > 0) {
  lines.push(
    `**PNG and WebP** (the C++ tool's libjpeg driver reads JPEG only, so these are compared with our own every-pixel decode; upstream \`pdq-photo-hasher\` reads them through CImg and ImageMagick). ${sum(others.map((r) => r.full)) > 0 ? `${(sum(others.map((r) => r.full)) / sum(others.map((r) => r.ours))).toFixed(2)}× in all` : ''}.`,
    '',
  );
  lines.push('| image | size | hashed at | ours, every pixel (ms) | ours (ms) | speed-up | drift (bits) |');
  lines.push('| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const r of others)
    lines.push(
      `| ${label(r)} | ${r.width}×${r.height} | ${r.shrunkTo ?? 'every pixel'} | ${fmt(r.full)} | ${fmt(r.ours)} | ${(r.full / r.ours).toFixed(2)}× | ${r.drift} |`,
    );
  lines.push('');
}

lines.push(
  '**Drift by rule** (bits between the shrunk and the every-pixel hash, over the images each rule shrinks; the others are hashed exactly as before):',
  '',
);
lines.push('| images | count | short side kept | shrunk | drift max | drift mean |');
lines.push('| --- | ---: | --- | ---: | ---: | ---: |');
const ruleRows: { label: string; format: Image['format']; set: SetName; sides: string[] }[] = [
  {
    label: 'shared PDQ reference JPEGs',
    format: 'jpeg',
    set: 'reference',
    sides: [`≥ ${DEFAULT_SHRINK_MIN_SIDE} (default)`, ...OTHER_JPEG_SIDES.map((s) => `≥ ${s}`)],
  },
  {
    label: 'Plasma wallpapers, JPEG',
    format: 'jpeg',
    set: 'wallpaper',
    sides: [`≥ ${DEFAULT_SHRINK_MIN_SIDE} (default)`, ...OTHER_JPEG_SIDES.map((s) => `≥ ${s}`)],
  },
  {
    label: 'WebP (wallpapers and shared PNGs re-encoded)',
    format: 'webp',
    set: 'wallpaper',
    sides: [`${WEBP_SHRINK_SIDE} (default)`, ...OTHER_WEBP_SIDES.map(String)],
  },
];
for (const rr of ruleRows) {
  const inSet = rows.filter((r) => r.image.format === rr.format && (rr.format === 'webp' || r.image.set === rr.set));
  if (inSet.length === 0) continue;
  rr.sides.forEach((side, i) => {
    const drifts =
      i === 0
        ? inSet.filter((r) => r.shrunkTo).map((r) => r.drift)
        : inSet.map((r) => r.other[i - 1]).filter((d): d is number => d !== null && d !== undefined);
    const max = drifts.length ? String(Math.max(...drifts)) : '–';
    const mean = drifts.length ? (sum(drifts) / drifts.length).toFixed(1) : '–';
    lines.push(`| ${rr.label} | ${inSet.length} | ${side} | ${drifts.length} | ${max} | ${mean} |`);
  });
}
lines.push('');
// Which rule each JPEG size gets, for the reader of the tables above.
lines.push(
  `Scale picked for the sizes above: ${[
    [5120, 2880],
    [4032, 3024],
    [3840, 2160],
    [2560, 1600],
    [1600, 1004],
  ]
    .map(([w, h]) => {
      const p = shrinkPlan('jpeg', w!, h!, DEFAULT_SHRINK_MIN_SIDE);
      return `${w}×${h} → ${p ? `1/${p.jpegScale}, ${p.width}×${p.height}` : 'every pixel'}`;
    })
    .join('; ')}.`,
  '',
);
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
