// The WebAssembly kernel against the TypeScript one: identical hash and quality (and the same
// float32 bits in the 64 x 64 and the DCT) on awkward sizes, every channel count, float luma,
// the shared images and all eight dihedral hashes;
// kernel selection and fallback; and the embedded module is exactly what the source compiles to.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { compileKernel, GENERATED_FILE, generatedSource } from '../scripts/buildWasm.ts';
import { type DecodedImage, decodeImage } from '../src/decode.ts';
import { PDQ_KERNEL_WASM_BASE64 } from '../src/pdqKernel.wasm.ts';
import { DIHEDRAL_NAMES, hashToHex, PdqHasher, type PdqResult, type WebAssemblyApi } from '../src/pure.ts';
import { globalWebAssembly, type WasmKernel } from '../src/wasmKernel.ts';
import { imagePath, rng, SKIP_SHARED } from './helpers.ts';

const wasm = new PdqHasher({ kernel: 'wasm' });
const js = new PdqHasher({ kernel: 'js' });

const show = (r: PdqResult): string => `${hashToHex(r.hash)} q${r.quality}`;

type Pattern = 'noise' | 'smooth' | 'blocks' | 'extremes';

/** Benign synthetic pixels: uniform noise, a noisy gradient, flat blocks, or only 0 and 255. */
function pixelsOf(width: number, height: number, channels: number, pattern: Pattern, seed: number): Uint8Array {
  const next = rng(seed);
  const px = new Uint8Array(width * height * channels);
  const bx = 1 + (next() % 9);
  const by = 1 + (next() % 9);
  const levels = Array.from({ length: 64 }, () => next() & 255);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) {
        let v: number;
        if (pattern === 'noise') v = next() & 255;
        else if (pattern === 'smooth') v = ((x * 200) / width + (y * 55) / height + (next() % 9) + c * 23) & 255;
        else if (pattern === 'blocks') v = levels[(((x / bx) | 0) * 7 + ((y / by) | 0) * 3 + c) & 63]!;
        else v = next() & 1 ? 255 : 0;
        px[(y * width + x) * channels + c] = v;
      }
    }
  }
  return px;
}

/** Float luma: the 0..255 range with fractions, or a wide range of magnitudes and signs. */
function lumaOf(width: number, height: number, wide: boolean, seed: number): Float32Array {
  const next = rng(seed);
  const luma = new Float32Array(width * height);
  for (let i = 0; i < luma.length; i++) {
    luma[i] = wide ? ((next() % 2000) - 1000) * 2 ** ((next() % 41) - 20) : (next() % 25600) / 100;
  }
  return luma;
}

function assertSame(what: string, a: PdqResult, b: PdqResult): void {
  assert.equal(show(a), show(b), `${what}: wasm ${show(a)} vs js ${show(b)}`);
}

// The hashers' last 64 x 64 filtered image and 16 x 16 DCT (private state, read for the tests).
const filteredOf = (h: PdqHasher): ArrayLike<number> =>
  h.kernel === 'wasm'
    ? (h as unknown as { wasm: WasmKernel }).wasm.lastFiltered()
    : (h as unknown as { buf64: Float64Array }).buf64;
const coefsOf = (h: PdqHasher): Float32Array => (h as unknown as { dct: Float32Array }).dct;

function assertSameValues(what: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  assert.equal(a.length, b.length);
  for (let i = 0; i < a.length; i++) {
    if (!Object.is(a[i], b[i])) assert.fail(`${what}: value ${i} is ${a[i]} (wasm) vs ${b[i]} (js)`);
  }
}

/** Runs `hash` with both kernels: same hash and quality, and the same float32 bits before them. */
function compare(what: string, hash: (h: PdqHasher) => PdqResult): void {
  const a = hash(wasm);
  const b = hash(js);
  assertSame(what, a, b);
  assertSameValues(`${what} 64x64`, filteredOf(wasm), filteredOf(js));
  assertSameValues(`${what} DCT`, coefsOf(wasm), coefsOf(js));
}

function assertSameDihedral(what: string, pixels: Uint8Array, width: number, height: number, channels: number): void {
  const a = wasm.dihedralPixels(pixels, width, height, channels);
  const b = js.dihedralPixels(pixels, width, height, channels);
  assert.equal(a.quality, b.quality, `${what}: dihedral quality`);
  for (const name of DIHEDRAL_NAMES)
    assert.equal(hashToHex(a.hashes[name]), hashToHex(b.hashes[name]), `${what}: ${name}`);
  assertSameValues(`${what} DCT`, coefsOf(wasm), coefsOf(js));
}

const AWKWARD: [number, number][] = [
  [5, 5],
  [5, 6],
  [7, 5],
  [6, 1000],
  [1000, 6],
  [9, 300],
  [300, 9],
  [63, 65],
  [64, 64],
  [65, 63],
  [64, 65],
  [127, 129],
  [128, 128],
  [129, 67],
  [257, 131],
  [333, 77],
  [517, 389],
  [1023, 37],
  [255, 256],
  [1100, 700], // needs more than the kernel's first memory: exercises re-instantiation
  [31, 29], // ... and small again afterwards
];

describe('WebAssembly and TypeScript kernels agree bit for bit', () => {
  it('runs the WebAssembly kernel by default in Node', () => {
    assert.equal(new PdqHasher().kernel, 'wasm');
    assert.equal(wasm.kernel, 'wasm');
    assert.equal(js.kernel, 'js');
  });

  it('on random 8-bit images of awkward sizes, 1 to 4 channels', () => {
    let cases = 0;
    for (const [w, h] of AWKWARD) {
      for (const channels of [1, 2, 3, 4]) {
        for (const pattern of ['noise', 'smooth', 'blocks', 'extremes'] as const) {
          const seed = w * 100_003 + h * 101 + channels * 7 + pattern.length;
          const px = pixelsOf(w, h, channels, pattern, seed);
          compare(`${w}x${h}x${channels} ${pattern}`, (hasher) => hasher.hashPixels(px, w, h, channels));
          cases++;
        }
      }
    }
    assert.equal(cases, AWKWARD.length * 16);
  });

  it('on more random sizes, odd widths included', () => {
    const next = rng(20240611);
    for (let i = 0; i < 60; i++) {
      const w = 5 + (next() % 400);
      const h = 5 + (next() % 400);
      const channels = 1 + (next() % 4);
      const px = pixelsOf(w, h, channels, i % 2 ? 'smooth' : 'blocks', next());
      compare(`${w}x${h}x${channels}`, (hasher) => hasher.hashPixels(px, w, h, channels));
    }
  });

  it('on float luma planes (hashLuma), in 0..255 and over a wide range of magnitudes', () => {
    for (const [w, h] of AWKWARD) {
      for (const wide of [false, true]) {
        const luma = lumaOf(w, h, wide, w * 31 + h + (wide ? 1 : 0));
        const before = luma.slice();
        compare(`${w}x${h} luma${wide ? ' wide' : ''}`, (hasher) => hasher.hashLuma(luma, w, h));
        assert.deepEqual(luma, before, 'hashLuma must not modify its input');
      }
    }
  });

  it('on pixel buffers longer than the image, Uint8ClampedArray and Buffer views', () => {
    const [w, h] = [97, 83];
    const px = pixelsOf(w, h, 4, 'smooth', 5);
    const longer = new Uint8Array(px.length + 1000);
    longer.set(px, 0);
    const expected = js.hashPixels(px, w, h, 4);
    assertSame('longer buffer', wasm.hashPixels(longer, w, h, 4), expected);
    assertSame('Uint8ClampedArray', wasm.hashPixels(new Uint8ClampedArray(px), w, h, 4), expected);
    const offset = Buffer.alloc(px.length + 3);
    offset.set(px, 3);
    assertSame('Buffer at an offset', wasm.hashPixels(offset.subarray(3), w, h, 4), expected);
  });

  it('on all eight dihedral hashes', () => {
    for (const [w, h] of [
      [5, 5],
      [64, 64],
      [63, 65],
      [200, 120],
      [1000, 6],
    ] as const) {
      for (const channels of [1, 3, 4])
        assertSameDihedral(
          `${w}x${h}x${channels}`,
          pixelsOf(w, h, channels, 'smooth', w + h + channels),
          w,
          h,
          channels,
        );
      const luma = lumaOf(w, h, false, w * h);
      const a = wasm.dihedralLuma(luma, w, h);
      const b = js.dihedralLuma(luma, w, h);
      assert.equal(a.quality, b.quality);
      for (const name of DIHEDRAL_NAMES)
        assert.equal(hashToHex(a.hashes[name]), hashToHex(b.hashes[name]), `${w}x${h} luma ${name}`);
    }
  });

  it('on the shared test images, with all eight dihedral hashes', { skip: SKIP_SHARED }, async () => {
    const files: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir).sort()) {
        const full = join(dir, name);
        if (statSync(full).isDirectory()) walk(full);
        else if (/\.(jpe?g|png|webp|gif|tiff?)$/i.test(name)) files.push(full);
      }
    };
    walk(imagePath('images'));
    assert.ok(files.length >= 30, `only ${files.length} shared images`);
    let hashed = 0;
    for (const file of files) {
      let image: DecodedImage;
      try {
        image = await decodeImage(readFileSync(file), { name: file });
      } catch {
        continue; // deliberately broken files in the test data
      }
      assertSameDihedral(file, image.pixels, image.width, image.height, image.channels);
      hashed++;
    }
    assert.ok(hashed >= 30, `only ${hashed} shared images decoded`);
  });
});

describe('kernel selection', () => {
  const px = pixelsOf(150, 90, 3, 'smooth', 42);
  const expected = js.hashPixels(px, 150, 90, 3);

  it('falls back to TypeScript under auto when there is no WebAssembly', () => {
    const hasher = new PdqHasher({ kernel: 'auto', webAssembly: null });
    assert.equal(hasher.kernel, 'js');
    assertSame('no WebAssembly', hasher.hashPixels(px, 150, 90, 3), expected);
  });

  it('falls back to TypeScript under auto when the module cannot be compiled (e.g. no SIMD)', () => {
    const real = globalWebAssembly()!;
    const noSimd: WebAssemblyApi = {
      Module: class {
        constructor() {
          throw new Error('CompileError: invalid opcode 0xfd');
        }
      } as unknown as WebAssemblyApi['Module'],
      Instance: real.Instance,
      Memory: real.Memory,
    };
    const hasher = new PdqHasher({ webAssembly: noSimd });
    assert.equal(hasher.kernel, 'js');
    assertSame('compile failure', hasher.hashPixels(px, 150, 90, 3), expected);
  });

  it('throws when WebAssembly is forced but unavailable', () => {
    assert.throws(() => new PdqHasher({ kernel: 'wasm', webAssembly: null }), /WebAssembly kernel unavailable/);
  });

  it('rejects an unknown kernel name', () => {
    assert.throws(() => new PdqHasher({ kernel: 'gpu' as never }), RangeError);
  });

  it('hashes with TypeScript an image the kernel cannot get memory for, and goes on with WebAssembly', () => {
    const real = globalWebAssembly()!;
    // Memory beyond 1 MiB is refused, as on a runtime short of memory.
    const tight: WebAssemblyApi = {
      Module: real.Module,
      Instance: real.Instance,
      // A constructor function: `new` on it answers the real memory, or refuses a large one.
      Memory: function Memory(descriptor: { initial: number }) {
        if (descriptor.initial > 16) throw new RangeError('WebAssembly.Memory(): could not allocate memory');
        return new real.Memory(descriptor);
      } as unknown as WebAssemblyApi['Memory'],
    };
    const hasher = new PdqHasher({ kernel: 'wasm', webAssembly: tight });
    const big = pixelsOf(700, 600, 3, 'smooth', 9);
    assertSame('too big for the memory', hasher.hashPixels(big, 700, 600, 3), js.hashPixels(big, 700, 600, 3));
    assertSame('small after big', hasher.hashPixels(px, 150, 90, 3), expected);
    assert.equal(hasher.kernel, 'wasm');
  });
});

describe('embedded WebAssembly module', () => {
  const built = compileKernel();

  it('is exactly what assembly/pdqKernel.ts compiles to (npm run build:wasm -w @lifeguard/pdq)', () => {
    assert.equal(
      Buffer.from(built.binary).toString('base64'),
      PDQ_KERNEL_WASM_BASE64,
      'src/pdqKernel.wasm.ts is stale: run npm run build:wasm -w @lifeguard/pdq',
    );
    assert.equal(readFileSync(GENERATED_FILE, 'utf8'), generatedSource(built.binary));
  });

  it('imports only its memory and uses no relaxed SIMD or fused multiply-add', () => {
    const api = globalWebAssembly() as unknown as {
      Module: { new (b: Uint8Array): object; imports(m: object): unknown };
    };
    assert.deepEqual(api.Module.imports(new api.Module(built.binary)), [
      { module: 'env', name: 'memory', kind: 'memory' },
    ]);
    // Relaxed SIMD (relaxed_madd and the rest) could change bits from one machine to another.
    assert.match(built.text, /f32x4\.add/);
    assert.doesNotMatch(built.text, /relaxed|madd|fma/);
  });
});
