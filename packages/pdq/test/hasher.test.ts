import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import sharp from 'sharp';
import { hashImageFile } from '../src/imageHash.ts';
import {
  DIHEDRAL_NAMES,
  hammingDistance,
  hashToHex,
  hexToHash,
  jaroszWindowSize,
  PdqHasher,
  popcountHash,
  type DihedralName,
} from '../src/pure.ts';
import { expectedRows, imagePath, plainPdq, rng, SKIP_SHARED } from './helpers.ts';

const dist = (a: string, b: string): number => hammingDistance(hexToHash(a), hexToHash(b));

/** Reference tolerance: upstream's rule for the primary C++ rows, the pure-Python test's for the rest. */
const UPSTREAM_TOLERANCE = 10;
const CROSS_IMPLEMENTATION_TOLERANCE = 16;

describe('PDQ conformance with the shared expected-hash table', { skip: SKIP_SHARED }, () => {
  const hashes = new Map<string, Promise<{ pdq: string; quality: number; dihedral: Record<DihedralName, string> }>>();
  const hashOf = (rel: string) => {
    let p = hashes.get(rel);
    if (!p) {
      // Every pixel decoded, as the reference tools do (shrink-on-load's drift is tested in decode.test.ts).
      p = hashImageFile(imagePath(rel), { dihedral: true, shrinkOnLoad: false }).then((h) => ({
        pdq: h.pdq,
        quality: h.quality,
        dihedral: h.dihedral!,
      }));
      hashes.set(rel, p);
    }
    return p;
  };
  const rows = SKIP_SHARED ? [] : expectedRows().filter((r) => r.localPath !== '');

  it('has local images for most rows of the table', () => {
    assert.ok(rows.length >= 100, `only ${rows.length} rows have a local image`);
  });

  for (const row of rows) {
    const label = `${row.localPath} [${row.source}${row.transform === 'orig' ? '' : `, ${row.transform}`}]`;
    it(`reproduces ${label}`, async () => {
      const ours = await hashOf(row.localPath);
      const hash = ours.dihedral[row.transform as DihedralName];
      assert.ok(hash, `unknown transform ${row.transform}`);
      const d = dist(hash, row.hash);
      if (row.quality !== undefined) assert.equal(ours.quality, row.quality, 'quality differs from the reference');
      if (row.source === 'cpp_int64_sqlreadme') {
        // PNG decoding is lossless, so our pixels are the reference's pixels: bits must be identical.
        if (row.localPath.endsWith('.png')) assert.equal(d, 0, `PNG must be bit-exact, ${d} bits differ`);
        if (ours.quality >= 80)
          assert.ok(d <= UPSTREAM_TOLERANCE, `${d} bits from the C++ reference (tolerance ${UPSTREAM_TOLERANCE})`);
        else assert.ok(d <= CROSS_IMPLEMENTATION_TOLERANCE, `${d} bits from the C++ reference on a low-quality image`);
      } else {
        assert.ok(
          d <= CROSS_IMPLEMENTATION_TOLERANCE,
          `${d} bits from ${row.source} (tolerance ${CROSS_IMPLEMENTATION_TOLERANCE})`,
        );
      }
    });
  }

  it('is bit-exact on the primary C++ rows of the bridge, EXIF and PNG images', async () => {
    const primary = rows.filter((r) => r.source === 'cpp_int64_sqlreadme');
    let exact = 0;
    let within = 0;
    for (const row of primary) {
      const d = dist((await hashOf(row.localPath)).pdq, row.hash);
      if (d === 0) exact++;
      if (d <= UPSTREAM_TOLERANCE) within++;
      if (/^images\/(dih|exif-rotn|misc\/(c|pen-and-coaster))/.test(row.localPath))
        assert.equal(d, 0, `${row.localPath}: ${d} bits`);
    }
    assert.ok(exact >= 17, `only ${exact} of ${primary.length} primary rows bit-exact`);
    assert.ok(
      within >= primary.length - 1,
      `only ${within} of ${primary.length} primary rows within ${UPSTREAM_TOLERANCE} bits`,
    );
  });

  it('gives quality 0 to the nearly flat small.jpg, as the reference does', async () => {
    assert.equal((await hashOf('images/misc/small.jpg')).quality, 0);
  });
});

describe('dihedral variants', { skip: SKIP_SHARED }, () => {
  const files: Record<Exclude<DihedralName, 'orig'>, string> = {
    rot90: 'images/dih/bridge-2-rotate-90.jpg',
    rot180: 'images/dih/bridge-3-rotate-180.jpg',
    rot270: 'images/dih/bridge-4-rotate-270.jpg',
    flipx: 'images/dih/bridge-5-flipx.jpg',
    flipy: 'images/dih/bridge-6-flipy.jpg',
    flipp: 'images/dih/bridge-7-flip-plus-1.jpg',
    flipm: 'images/dih/bridge-8-flip-minus-1.jpg',
  };
  for (const [transform, file] of Object.entries(files)) {
    it(`derives the ${transform} hash from the original's DCT, close to hashing ${file.split('/').pop()}`, async () => {
      const original = await hashImageFile(imagePath('images/dih/bridge-1-original.jpg'), { dihedral: true });
      const transformed = await hashImageFile(imagePath(file));
      const d = dist(original.dihedral![transform as DihedralName], transformed.pdq);
      assert.ok(d <= UPSTREAM_TOLERANCE, `${d} bits`);
      // ...and the untransformed hash is nowhere near it.
      assert.ok(dist(original.pdq, transformed.pdq) > 64, 'the untransformed hash is far from the transformed one');
    });
  }

  it('matches physically rotated and mirrored synthetic pixels within the match threshold', () => {
    // Not bit-exact in general: the filter's half windows at the edges and the 64-point sampling
    // grid are not symmetric under reversal, so a transform can move a few coefficients.
    const { pixels, width, height } = syntheticImage(200, 120, 7);
    const hasher = new PdqHasher();
    const d = hasher.dihedralPixels(pixels, width, height, 3);
    const cases: [DihedralName, (x: number, y: number) => [number, number], number, number][] = [
      // transform name, source coordinates of output pixel (x, y), output width, output height
      ['rot90', (x, y) => [width - 1 - y, x], height, width], // 90 degrees anticlockwise
      ['rot180', (x, y) => [width - 1 - x, height - 1 - y], width, height],
      ['rot270', (x, y) => [y, height - 1 - x], height, width], // 90 degrees clockwise
      ['flipx', (x, y) => [x, height - 1 - y], width, height], // top <-> bottom
      ['flipy', (x, y) => [width - 1 - x, y], width, height], // left <-> right
      ['flipp', (x, y) => [y, x], height, width],
      ['flipm', (x, y) => [width - 1 - y, height - 1 - x], height, width],
    ];
    for (const [name, source, w, h] of cases) {
      const out = new Uint8Array(w * h * 3);
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          const [sx, sy] = source(x, y);
          for (let c = 0; c < 3; c++) out[(y * w + x) * 3 + c] = pixels[(sy * width + sx) * 3 + c]!;
        }
      }
      const direct = hasher.hashPixels(out, w, h, 3).hash;
      const bits = hammingDistance(direct, d.hashes[name]);
      assert.ok(bits <= 31, `${name}: derived hash is ${bits} bits from hashing the transformed pixels`);
      assert.ok(
        hammingDistance(direct, d.hashes.orig) > 64,
        `${name}: transformed image should not match the original hash`,
      );
    }
  });
});

describe('near duplicates and unrelated images', { skip: SKIP_SHARED }, () => {
  const mods = [
    'aaa-orig',
    'blur-a-little',
    'blur-a-lot',
    'high-contrast',
    'high-saturation',
    'sharpen-a-little',
    'sharpen-a-lot',
    'shrink-a-little',
    'shrink-a-lot',
    'square-128x128',
    'square-256x256',
    'square-512x512',
  ];
  it('keeps every bridge edit within the match threshold of the original', async () => {
    const original = (await hashImageFile(imagePath('images/dih/bridge-1-original.jpg'))).pdq;
    for (const mod of mods) {
      const h = await hashImageFile(imagePath(`images/bridge-mods/${mod}.jpg`));
      const d = dist(original, h.pdq);
      assert.ok(d <= 31, `${mod}: ${d} bits`);
      assert.ok(h.quality >= 80, `${mod}: quality ${h.quality}`);
    }
  });

  it('keeps colour-mode conversions of the bridge (CMYK, palette) close to it', async () => {
    const original = (await hashImageFile(imagePath('images/dih/bridge-1-original.jpg'))).pdq;
    for (const file of ['images/modes/CMYK.jpg', 'images/modes/P.png']) {
      const d = dist(original, (await hashImageFile(imagePath(file))).pdq);
      assert.ok(d <= 16, `${file}: ${d} bits`);
    }
  });

  it('puts unrelated photos far apart', async () => {
    const files = [
      'images/dih/bridge-1-original.jpg',
      'images/misc/c.png',
      'images/misc/pen-and-coaster.png',
      'images/misc/wee.jpg',
      'images/labelme-subset/q0122.jpg',
      'images/labelme-subset/q0291.jpg',
      'images/labelme-subset/q0746.jpg',
      'images/labelme-subset/q1050.jpg',
      'images/labelme-subset/q2821.jpg',
      'images/exif-rotn/exif-rotn-1.jpg',
    ];
    const hashes = await Promise.all(files.map(async (f) => (await hashImageFile(imagePath(f))).pdq));
    for (let i = 0; i < files.length; i++) {
      for (let j = i + 1; j < files.length; j++) {
        const d = dist(hashes[i]!, hashes[j]!);
        assert.ok(d > 64, `${files[i]} vs ${files[j]}: only ${d} bits apart`);
      }
    }
  });
});

describe('PDQ hasher internals', () => {
  for (const kernel of ['wasm', 'js'] as const)
    it(`agrees bit for bit with a plain transcription of the algorithm on odd sizes (${kernel} kernel)`, () => {
      const hasher = new PdqHasher({ kernel });
      const sizes: [number, number][] = [
        [5, 5],
        [5, 300],
        [300, 7],
        [63, 64],
        [64, 64],
        [65, 65],
        [127, 129],
        [128, 128],
        [257, 130],
        [517, 389],
      ];
      for (const [w, h] of sizes) {
        for (const channels of [1, 3, 4]) {
          const next = rng(w * 1000 + h * 10 + channels);
          const { pixels } = syntheticImage(w, h, w + h, channels, next);
          const plain = plainPdq(pixels, w, h, channels);
          const ours = hasher.hashPixels(pixels, w, h, channels);
          assert.equal(ours.quality, plain.quality, `${w}x${h}x${channels} quality`);
          assert.equal(hashToHex(ours.hash), hashToHex(plain.words), `${w}x${h}x${channels} hash`);
        }
      }
    });

  it('hashes a float luma plane the same as the pixels it came from (greyscale)', () => {
    const { pixels } = syntheticImage(150, 90, 3, 1);
    const luma = Float32Array.from(pixels);
    const hasher = new PdqHasher();
    assert.equal(hashToHex(hasher.hashLuma(luma, 150, 90).hash), hashToHex(hasher.hashPixels(pixels, 150, 90, 1).hash));
  });

  it('gives the all-zero hash and quality 0 to images under 5 pixels on a side', () => {
    const hasher = new PdqHasher();
    for (const [w, h] of [
      [4, 100],
      [100, 4],
      [0, 0],
      [1, 1],
    ] as const) {
      const r = hasher.hashPixels(new Uint8Array(w * h * 3).fill(77), w, h, 3);
      assert.equal(r.quality, 0);
      assert.equal(popcountHash(r.hash), 0);
      const d = hasher.dihedralPixels(new Uint8Array(w * h * 3), w, h, 3);
      assert.equal(d.quality, 0);
      for (const name of DIHEDRAL_NAMES) assert.equal(popcountHash(d.hashes[name]), 0);
    }
  });

  it('gives quality 0 to a flat image', () => {
    const r = new PdqHasher().hashPixels(new Uint8Array(300 * 200 * 3).fill(128), 300, 200, 3);
    assert.equal(r.quality, 0);
  });

  it('sets exactly half the bits on a detailed image (median threshold)', () => {
    const { pixels } = syntheticImage(320, 240, 11);
    assert.equal(popcountHash(new PdqHasher().hashPixels(pixels, 320, 240, 3).hash), 128);
  });

  it('rejects pixel buffers that do not match the stated size or channels', () => {
    const hasher = new PdqHasher();
    assert.throws(() => hasher.hashPixels(new Uint8Array(10), 10, 10, 3), /too short/);
    assert.throws(() => hasher.hashPixels(new Uint8Array(300), 10, 10, 5), /channel count/);
    assert.throws(() => hasher.hashPixels(new Uint8Array(300), -1, 10, 3), /invalid image dimensions/);
    assert.throws(() => hasher.hashLuma(new Float32Array(5), 10, 10), /too short/);
  });

  it('computes the reference box-filter window sizes', () => {
    assert.equal(jaroszWindowSize(1024), 8);
    assert.equal(jaroszWindowSize(1600), 13);
    assert.equal(jaroszWindowSize(1004), 8);
    assert.equal(jaroszWindowSize(64), 1);
    assert.equal(jaroszWindowSize(5), 1);
  });

  it('lays out hex like the reference: DCT row 15 first, column 0 in the low bit of each word', () => {
    const words = new Uint32Array(8);
    words[0] = 1; // bit 0: row 0, column 0 -> last hex digit
    assert.equal(hashToHex(words), `${'0'.repeat(63)}1`);
    words[0] = 0;
    words[7] = 0x80000000; // bit 255: row 15, column 15 -> first hex digit
    assert.equal(hashToHex(words), `8${'0'.repeat(63)}`);
    words[7] = 0;
    words[0] = 0x10000; // bit 16: row 1, column 0 -> word w[1], fourth-from-last group of four
    assert.equal(hashToHex(words), `${'0'.repeat(59)}10000`);
    const hex = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
    assert.equal(hashToHex(hexToHash(hex)), hex);
    assert.equal(hashToHex(hexToHash(hex.toUpperCase())), hex);
    assert.throws(() => hexToHash('xyz'), /not a PDQ hash/);
    assert.throws(() => hexToHash(`${hex}00`), /not a PDQ hash/);
  });

  it('hashes an image sharp encodes as WebP close to the same pixels as PNG', async () => {
    const { pixels, width, height } = syntheticImage(240, 160, 5);
    const raw = { raw: { width, height, channels: 3 as const } };
    const png = await sharp(pixels, raw).png().toBuffer();
    const webp = await sharp(pixels, raw).webp({ quality: 90 }).toBuffer();
    const { hashImageBuffer } = await import('../src/imageHash.ts');
    const a = await hashImageBuffer(png);
    const b = await hashImageBuffer(webp);
    assert.equal(a.format, 'png');
    assert.equal(b.format, 'webp');
    assert.equal(
      a.pdq,
      hashToHex(new PdqHasher().hashPixels(pixels, width, height, 3).hash),
      'PNG round trip is lossless',
    );
    assert.ok(dist(a.pdq, b.pdq) <= 16, `${dist(a.pdq, b.pdq)} bits between PNG and WebP`);
  });
});

/** Benign synthetic picture: gradients, a few discs and some noise. */
export function syntheticImage(
  width: number,
  height: number,
  seed: number,
  channels = 3,
  next = rng(seed),
): { pixels: Uint8Array; width: number; height: number } {
  const pixels = new Uint8Array(width * height * channels);
  const discs = Array.from({ length: 4 }, () => ({
    x: next() % width,
    y: next() % height,
    r: 3 + (next() % Math.max(4, width >> 2)),
    v: next() % 256,
  }));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = ((x * 255) / Math.max(1, width - 1)) * 0.6 + ((y * 255) / Math.max(1, height - 1)) * 0.3;
      for (const d of discs) if ((x - d.x) ** 2 + (y - d.y) ** 2 < d.r * d.r) v = d.v;
      for (let c = 0; c < channels; c++) {
        const noise = (next() % 21) - 10;
        pixels[(y * width + x) * channels + c] = Math.max(0, Math.min(255, Math.round(v + noise + c * 17)));
      }
    }
  }
  return { pixels, width, height };
}
