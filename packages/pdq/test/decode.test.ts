import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { decodeImage, hashImageBuffer, hashImageFile, ImageDecodeError, type DecodeErrorCode } from '../src/index.ts';
import { shrinkPlan } from '../src/decode.ts';
import { hammingDistance, hexToHash } from '../src/pure.ts';
import { imagePath, SKIP_SHARED } from './helpers.ts';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'lifeguard-pdq-decode-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function rejectsWith(promise: Promise<unknown>, code: DecodeErrorCode, pattern: RegExp): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof ImageDecodeError, `expected ImageDecodeError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    assert.match(e.message, pattern);
    return true;
  });
}

/** A tiny PNG declaring the given size: a header and the compressed first row only. */
function pngHeaderOnly(width: number, height: number): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const firstRow = deflateSync(Buffer.alloc(1 + width * 3));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', firstRow),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

async function smallJpeg(): Promise<Buffer> {
  const pixels = Buffer.alloc(64 * 48 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7) % 256;
  return sharp(pixels, { raw: { width: 64, height: 48, channels: 3 } })
    .jpeg()
    .toBuffer();
}

describe('bad image input', () => {
  it('refuses an empty file', async () => {
    const path = join(dir, 'empty.jpg');
    await writeFile(path, '');
    await rejectsWith(hashImageFile(path), 'empty', /empty\.jpg: file is empty/);
  });

  it('refuses a file that is not an image, naming it', async () => {
    const path = join(dir, 'notes.jpg');
    await writeFile(path, 'this is a text file, not a photo\n');
    await rejectsWith(hashImageFile(path), 'unsupported', /notes\.jpg: not a supported image/);
  });

  it('refuses a truncated JPEG', async () => {
    const jpeg = await smallJpeg();
    const path = join(dir, 'cut.jpg');
    await writeFile(path, jpeg.subarray(0, Math.floor(jpeg.length / 2)));
    await rejectsWith(hashImageFile(path), 'corrupt', /cut\.jpg: image data is truncated or corrupt/);
  });

  it('refuses a truncated PNG whose header is intact', async () => {
    const png = await sharp(Buffer.alloc(300 * 200 * 3, 90), { raw: { width: 300, height: 200, channels: 3 } })
      .png({ compressionLevel: 0 })
      .toBuffer();
    await rejectsWith(decodeImage(png.subarray(0, 5000), { name: 'cut.png' }), 'corrupt', /cut\.png/);
  });

  it('refuses a decompression bomb from its header, before decoding', async () => {
    const bomb = pngHeaderOnly(100_000, 100_000);
    assert.ok(bomb.length < 1000, `${bomb.length} bytes`);
    await rejectsWith(decodeImage(bomb, { name: 'bomb.png' }), 'too_large', /100000x100000.*refused before decoding/);
    // A configurable limit: a modest image over a strict limit is refused the same way.
    await rejectsWith(
      decodeImage(await smallJpeg(), { name: 'small.jpg', maxInputPixels: 1000 }),
      'too_large',
      /1000-pixel limit/,
    );
  });

  it('shrinks an extreme panorama so hashing memory stays bounded', async () => {
    const wide = await sharp({
      create: { width: 40000, height: 8, channels: 3, background: { r: 90, g: 120, b: 200 } },
    })
      .png()
      .toBuffer();
    const d = await decodeImage(wide, { name: 'wide.png' });
    assert.equal(d.shrunk, true);
    assert.ok(d.width <= 16384, `width ${d.width}`);
    const h = await hashImageBuffer(wide);
    assert.equal(h.quality, 0, 'a flat strip has no detail');
  });

  it('refuses an image that declares zero pixels', async () => {
    await assert.rejects(decodeImage(pngHeaderOnly(0, 10), { name: 'zero.png' }), (e: unknown) => {
      assert.ok(e instanceof ImageDecodeError, 'the error is an ImageDecodeError');
      assert.ok(e.code === 'zero_size' || e.code === 'corrupt', e.code);
      assert.match(e.message, /zero\.png/);
      return true;
    });
  });

  it('refuses documents such as SVG', async () => {
    const svg = Buffer.from(
      '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>',
    );
    await rejectsWith(decodeImage(svg, { name: 'pic.svg' }), 'unsupported', /unsupported image format "svg"/);
  });

  it('refuses a file over the byte limit without reading it', async () => {
    const path = join(dir, 'big.jpg');
    await writeFile(path, await smallJpeg());
    await rejectsWith(hashImageFile(path, { maxInputBytes: 100 }), 'too_large', /over the 100-byte limit/);
  });

  it('reports a missing file and a directory clearly', async () => {
    await rejectsWith(hashImageFile(join(dir, 'nope.jpg')), 'unreadable', /nope\.jpg: no such file/);
    await rejectsWith(hashImageFile(dir), 'unreadable', /not a regular file/);
  });

  it('decodes greyscale and images with alpha (alpha ignored, as in the reference)', async () => {
    const greyPixels = Buffer.alloc(40 * 30);
    for (let i = 0; i < greyPixels.length; i++) greyPixels[i] = (i * 13) % 256;
    const grey = await sharp(greyPixels, { raw: { width: 40, height: 30, channels: 1 } })
      .toColourspace('b-w')
      .png()
      .toBuffer();
    assert.equal((await sharp(grey).metadata()).channels, 1);
    const g = await decodeImage(grey);
    assert.equal(g.channels, 1);
    assert.deepEqual(Buffer.from(g.pixels), greyPixels);
    const rgba = Buffer.alloc(40 * 30 * 4);
    for (let i = 0; i < 40 * 30; i++) rgba.set([i % 256, 50, 200, i % 2 ? 0 : 255], i * 4);
    const rgb = Buffer.alloc(40 * 30 * 3);
    for (let i = 0; i < 40 * 30; i++) rgb.set([i % 256, 50, 200], i * 3);
    const withAlpha = await hashImageBuffer(
      await sharp(rgba, { raw: { width: 40, height: 30, channels: 4 } })
        .png()
        .toBuffer(),
    );
    const without = await hashImageBuffer(
      await sharp(rgb, { raw: { width: 40, height: 30, channels: 3 } })
        .png()
        .toBuffer(),
    );
    assert.equal(withAlpha.pdq, without.pdq);
  });
});

describe('EXIF orientation', { skip: SKIP_SHARED }, () => {
  const expected6 = 'e9782aad54ae0b6365315ac278592d6ad4b5434a5bcd7471f7abcb594b481a94';
  it('ignores orientation by default and says so, matching the reference hash', async () => {
    const h = await hashImageFile(imagePath('images/exif-rotn/exif-rotn-6.jpg'), { shrinkOnLoad: false });
    assert.equal(h.orientation, 6);
    assert.equal(h.orientationApplied, false);
    assert.equal(hammingDistance(hexToHash(h.pdq), hexToHash(expected6)), 0);
  });

  it('applies orientation on request; a dihedral variant still matches the stored-pixels hash', async () => {
    const h = await hashImageFile(imagePath('images/exif-rotn/exif-rotn-6.jpg'), {
      orientation: 'apply',
      dihedral: true,
      shrinkOnLoad: false,
    });
    assert.equal(h.orientationApplied, true);
    assert.equal(h.width, 3024);
    assert.equal(h.height, 4032);
    assert.ok(
      hammingDistance(hexToHash(h.pdq), hexToHash(expected6)) > 64,
      'the rotated hash is far from the stored-pixels hash',
    );
    const best = Math.min(
      ...Object.values(h.dihedral!).map((v) => hammingDistance(hexToHash(v), hexToHash(expected6))),
    );
    assert.ok(best <= 10, `best dihedral variant is ${best} bits away`);
  });

  it('shrinks very large images before hashing and stays close to the full-size hash', async () => {
    const full = await hashImageFile(imagePath('images/exif-rotn/exif-rotn-1.jpg'), { shrinkOnLoad: false });
    const small = await hashImageFile(imagePath('images/exif-rotn/exif-rotn-1.jpg'), {
      maxHashPixels: 1024 * 1024,
      shrinkOnLoad: false,
    });
    assert.equal(full.shrunk, false);
    assert.equal(small.shrunk, true);
    assert.ok(small.width * small.height <= 1024 * 1024 * 1.01, 'the shrunk image has about a megapixel at most');
    assert.ok(
      hammingDistance(hexToHash(full.pdq), hexToHash(small.pdq)) <= 10,
      'the shrunk hash stays within 10 bits of the full-size one',
    );
  });

  it('gives MD5 and SHA-256 of the file bytes', async () => {
    const path = imagePath('images/misc/wee.jpg');
    const h = await hashImageFile(path);
    const { createHash } = await import('node:crypto');
    const bytes = await readFile(path);
    assert.equal(h.md5, createHash('md5').update(bytes).digest('hex'));
    assert.equal(h.sha256, createHash('sha256').update(bytes).digest('hex'));
  });
});

const BRIDGE_NAMES = [
  'original',
  'rotate-90',
  'rotate-180',
  'rotate-270',
  'flipx',
  'flipy',
  'flip-plus-1',
  'flip-minus-1',
];

describe('shrink-on-load', { skip: SKIP_SHARED }, () => {
  /** Bits a shrunk-on-load hash may differ from the full-size one: a quarter of the match distance (31). */
  const DRIFT_BOUND = 8;
  const jpegs = SKIP_SHARED
    ? []
    : [
        ...[1, 2, 3, 4, 5, 6, 7, 8].map((i) => `images/dih/bridge-${i}-${BRIDGE_NAMES[i - 1]}.jpg`),
        'images/bridge-mods/aaa-orig.jpg',
        'images/bridge-mods/sharpen-a-lot.jpg',
        'images/exif-rotn/exif-rotn-1.jpg',
        'images/exif-rotn/exif-rotn-6.jpg',
        'images/labelme-subset/q1050.jpg',
        'images/modes/CMYK.jpg',
      ];

  it('keeps the hash of every reference JPEG within the bound, and leaves those under the size rule untouched', async () => {
    let shrunk = 0;
    for (const rel of jpegs) {
      const bytes = await readFile(imagePath(rel));
      const full = await hashImageBuffer(bytes, { shrinkOnLoad: false });
      const quick = await hashImageBuffer(bytes);
      const d = hammingDistance(hexToHash(full.pdq), hexToHash(quick.pdq));
      if (quick.shrunkOnLoad) {
        shrunk++;
        assert.ok(d <= DRIFT_BOUND, `${rel}: ${d} bits from the full-size hash (bound ${DRIFT_BOUND})`);
        assert.deepEqual(
          [quick.width, quick.height],
          full.width > full.height ? [806, 604] : [604, 806],
          `${rel}: decoded at 1/4 and resized to a fifth, keeping at least 512 on the short side`,
        );
      } else {
        assert.equal(d, 0, `${rel}: not shrunk, so hashed exactly as before`);
        assert.equal(quick.width, full.width, `${rel}: decoded at full size`);
      }
    }
    assert.equal(shrunk, 2, 'the two 4032x3024 photos are shrunk on load, the JPEGs under 3 x 512 are not');
  });

  it('is turned off by shrinkOnLoad: false, and the kept side is an option', async () => {
    const bytes = await readFile(imagePath('images/exif-rotn/exif-rotn-1.jpg'));
    const full = await decodeImage(bytes, { shrinkOnLoad: false });
    assert.deepEqual([full.width, full.height, full.shrunk, full.shrunkOnLoad], [4032, 3024, false, false]);
    const quick = await decodeImage(bytes);
    assert.deepEqual([quick.width, quick.height, quick.shrunk, quick.shrunkOnLoad], [806, 604, true, true]);
    const larger = await decodeImage(bytes, { shrinkMinSide: 960 });
    assert.deepEqual([larger.width, larger.height], [1344, 1008], 'a larger kept side on request: 1/2 scale');
    const smaller = await decodeImage(bytes, { shrinkMinSide: 336 });
    assert.deepEqual([smaller.width, smaller.height], [448, 336], 'a smaller kept side on request: 1/8 scale');
    await assert.rejects(decodeImage(bytes, { shrinkMinSide: 10 }), /shrinkMinSide must be an integer of at least 64/);
  });

  it('picks the smallest libjpeg scale that keeps the short side, for any size', () => {
    assert.deepEqual(shrinkPlan('jpeg', 5120, 2880, 512), { width: 1024, height: 576, jpegScale: 4 });
    assert.deepEqual(shrinkPlan('jpeg', 2560, 1600, 512), { width: 853, height: 533, jpegScale: 2 });
    assert.deepEqual(shrinkPlan('jpeg', 4608, 6000, 512), { width: 512, height: 666, jpegScale: 8 });
    assert.deepEqual(shrinkPlan('jpeg', 1600, 4608, 512), { width: 533, height: 1536, jpegScale: 2 });
    assert.equal(shrinkPlan('jpeg', 1600, 1535, 512), null, 'under 3 x 512 on the short side: every pixel');
    assert.equal(shrinkPlan('png', 5120, 2880, 512), null, 'PNG has no scaled decoding');
    assert.deepEqual(shrinkPlan('webp', 3840, 2160, 512), { width: 1707, height: 960, jpegScale: 1 });
    assert.equal(shrinkPlan('webp', 2560, 1600, 512), null, 'WebP under 2 x 960: every pixel');
  });

  it('scales a large WebP while decoding, close to its full-size hash', async () => {
    const bytes = await sharp(await readFile(imagePath('images/exif-rotn/exif-rotn-1.jpg')))
      .webp({ quality: 90 })
      .toBuffer();
    const full = await hashImageBuffer(bytes, { shrinkOnLoad: false });
    const quick = await hashImageBuffer(bytes);
    assert.deepEqual([quick.width, quick.height, quick.shrunkOnLoad], [1280, 960, true]);
    const d = hammingDistance(hexToHash(full.pdq), hexToHash(quick.pdq));
    assert.ok(d <= DRIFT_BOUND, `${d} bits from the full-size hash (bound ${DRIFT_BOUND})`);
  });

  it('shrinks only JPEGs and WebPs: a large PNG is decoded in full', async () => {
    const png = await sharp({
      create: { width: 3000, height: 2900, channels: 3, background: { r: 40, g: 90, b: 160 } },
    })
      .png()
      .toBuffer();
    const d = await decodeImage(png);
    assert.deepEqual([d.width, d.height, d.shrunkOnLoad], [3000, 2900, false]);
  });
});
