// The WebAssembly side of PdqHasher: instantiates the kernel built from assembly/pdqKernel.ts
// (embedded in pdqKernel.wasm.ts), copies an image into its memory and runs the filter and the
// DCT there. The kernel reproduces the TypeScript path's bits exactly (see the kernel's header).
//
// Pure module: no Node imports. Runtimes without WebAssembly (or without its SIMD) make create()
// throw, and PdqHasher falls back to its TypeScript kernel.

import { PDQ_KERNEL_WASM_BASE64 } from './pdqKernel.wasm.ts';

/** The parts of the WebAssembly JS API the kernel uses (the DOM lib's types are not in this build). */
export interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (
    module: object,
    imports: Record<string, Record<string, unknown>>,
  ) => { exports: Record<string, unknown> };
  Memory: new (descriptor: { initial: number; maximum?: number }) => { buffer: ArrayBuffer };
}

interface KernelExports {
  constsAt(): number;
  dctMatrixAt(): number;
  out64At(): number;
  coefsAt(): number;
  pixelsAt(): number;
  init(): void;
  prepare(width: number, height: number, channels: number): number;
  filter(): void;
  gradientSum(): number;
  dct(): void;
}

/** Images needing more memory than this are hashed by the TypeScript kernel instead. */
export const WASM_KERNEL_MAX_BYTES = 1 << 30;
const PAGE = 65536;
/** First memory: enough for a 512 x 512 RGB image, so the common case never re-instantiates. */
const INITIAL_PAGES = 16;

/** The global WebAssembly object, if this runtime has one. */
export function globalWebAssembly(): WebAssemblyApi | undefined {
  return (globalThis as { WebAssembly?: WebAssemblyApi }).WebAssembly;
}

// Compiled once per WebAssembly implementation; instances (one per hasher) share it.
const compiled = new WeakMap<WebAssemblyApi, object>();

function decodeBase64(text: string): Uint8Array {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
  const value = new Int8Array(128).fill(-1);
  for (let i = 0; i < 64; i++) value[alphabet.charCodeAt(i)] = i;
  const clean = text.replace(/=+$/, '');
  const out = new Uint8Array((clean.length * 3) >> 2);
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const v = value[clean.charCodeAt(i)] ?? -1;
    if (v < 0) throw new Error('corrupt embedded PDQ kernel');
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

export class WasmKernel {
  private readonly module: object;
  private exports!: KernelExports;
  private u8 = new Uint8Array(0);
  private f32 = new Float32Array(0);

  /**
   * Throws where the kernel cannot run (no WebAssembly, no SIMD support, instantiation refused).
   * `luma` is the three float32 luma weights and `dctMatrix` the 16 x 64 float32 DCT basis, both
   * exactly as the TypeScript path uses them.
   */
  constructor(
    private readonly api: WebAssemblyApi,
    private readonly luma: readonly number[],
    private readonly dctMatrix: ArrayLike<number>,
  ) {
    let module = compiled.get(api);
    if (!module) {
      module = new api.Module(decodeBase64(PDQ_KERNEL_WASM_BASE64));
      compiled.set(api, module);
    }
    this.module = module;
    this.instantiate(INITIAL_PAGES);
  }

  // The memory is never grown in place: growing detaches the old ArrayBuffer, and one detach
  // anywhere in the process makes V8 check for detached buffers on every typed-array access
  // from then on (slowing all typed-array code, the TypeScript kernel included). A bigger image
  // gets a new, bigger memory and a new instance of the compiled module instead.
  private instantiate(pages: number): void {
    const memory = new this.api.Memory({ initial: pages });
    const instance = new this.api.Instance(this.module, { env: { memory } });
    const exports = instance.exports as unknown as KernelExports;
    const f32 = new Float32Array(memory.buffer);
    const c = exports.constsAt() >> 2;
    for (let i = 0; i < 3; i++) f32[c + i] = this.luma[i]!;
    f32.set(Array.from(this.dctMatrix), exports.dctMatrixAt() >> 2);
    exports.init();
    this.exports = exports;
    this.u8 = new Uint8Array(memory.buffer);
    this.f32 = f32;
  }

  /**
   * Filters and decimates the image, leaves the 16 x 16 DCT in coefs and returns the quality
   * metric's gradient sum (see qualityFromGradientSum in pdq.ts). `source` holds `channels`
   * bytes per pixel, or (channels 0) float luma. Returns undefined, having done nothing, when the
   * image needs more memory than the kernel may take.
   */
  run(
    source: Uint8Array | Uint8ClampedArray | Float32Array,
    width: number,
    height: number,
    channels: number,
    coefs: Float32Array,
  ): number | undefined {
    // Too big for the kernel in any case (this also keeps the dimensions inside its i32 arguments).
    if (width * height * 4 > WASM_KERNEL_MAX_BYTES) return undefined;
    const need = this.exports.prepare(width, height, channels);
    if (!(need <= WASM_KERNEL_MAX_BYTES)) return undefined;
    if (need > this.u8.length) {
      try {
        // Some headroom, so that a run of slightly growing images does not re-instantiate each time.
        this.instantiate(Math.ceil((need * 1.25) / PAGE));
      } catch {
        return undefined; // no memory for it: the caller uses the TypeScript kernel
      }
      this.exports.prepare(width, height, channels); // lays out the new instance
    }
    const at = this.exports.pixelsAt();
    const count = width * height;
    if (channels === 0) {
      const luma = source as Float32Array;
      this.f32.set(luma.length === count ? luma : luma.subarray(0, count), at >> 2);
    } else {
      // A Uint8Array view, so that set() is a plain copy even for Uint8ClampedArray input.
      this.u8.set(new Uint8Array(source.buffer, source.byteOffset, count * channels), at);
    }
    this.exports.filter();
    this.exports.dct();
    const c = this.exports.coefsAt() >> 2;
    coefs.set(this.f32.subarray(c, c + 256));
    return this.exports.gradientSum();
  }

  /** The 64 x 64 filtered image of the last run (for tests). */
  lastFiltered(): Float32Array {
    const o = this.exports.out64At() >> 2;
    return this.f32.slice(o, o + 4096);
  }
}
