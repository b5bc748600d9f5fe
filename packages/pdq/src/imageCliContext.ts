// What the image commands (hashCli.ts, matchCli.ts, bankCli.ts) share: output and failure
// through commander, option parsers, the bank directory and store, hashing a list of files, and
// the context handed to the video commands.

import { isAbsolute, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { BankError } from './bank.ts';
import { loadRegistry } from './bankStore.ts';
import { ImageDecodeError, type DecodeOptions } from './decode.ts';
import { BankStoreError, FileBankStore } from './fileBankStore.ts';
import { isHashKind, type HashKind } from './hashList.ts';
import { hashImageFile, type ImageHashes } from './imageHash.ts';
import { PdqHasher } from './pdq.ts';
import { isVideoFile, type VideoCliContext } from './videoCli.ts';

export interface ImageCommandOptions {
  /** Environment to read LIFEGUARD_HOME from. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. Default process.cwd(). */
  cwd?: string;
}

export interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

export function io(cmd: Command): Io {
  let root = cmd;
  while (root.parent) root = root.parent;
  const config = root.configureOutput();
  const writeOut = config.writeOut ?? ((s: string) => process.stdout.write(s));
  const writeErr = config.writeErr ?? ((s: string) => process.stderr.write(s));
  return { out: (line) => writeOut(`${line}\n`), err: (line) => writeErr(`${line}\n`) };
}

export function fail(cmd: Command, message: string): never {
  cmd.error(`error: ${message}`, { exitCode: 1, code: 'lifeguard.pdq' });
}

export function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

export function kindOption(value: string): HashKind {
  const v = value.toLowerCase();
  if (!isHashKind(v)) throw new InvalidArgumentError('kind must be pdq, md5 or sha256');
  return v;
}

/** Text safe for one terminal line: no control characters, bounded length. */
export function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Shared by the image command groups; built once per program from its options. */
export interface ImageCliContext {
  abs: (p: string) => string;
  banksDir: (cmd: Command) => string;
  store: (cmd: Command) => FileBankStore;
  forEachHashed: (
    cmd: Command,
    files: string[],
    opts: { orientation?: string; maxPixels?: number; dihedral?: boolean; shrinkOnLoad?: boolean },
    each: (file: string, h: ImageHashes) => void,
  ) => Promise<void>;
  orientationOption: () => Option;
  maxPixelsOption: () => Option;
  shrinkOption: () => Option;
  guard: (cmd: Command, body: () => Promise<void>) => Promise<void>;
  video: VideoCliContext;
}

export function imageCliContext(options: ImageCommandOptions = {}): ImageCliContext {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(cwd, p));
  const banksDir = (cmd: Command): string => {
    const dir = (cmd.optsWithGlobals() as { banksDir?: string }).banksDir;
    if (dir) return abs(dir);
    if (env.LIFEGUARD_HOME) return join(abs(env.LIFEGUARD_HOME), 'banks');
    return join(cwd, '.lifeguard', 'banks');
  };
  const store = (cmd: Command): FileBankStore => {
    const { err } = io(cmd);
    return new FileBankStore(banksDir(cmd), { onWarning: (m) => err(`warning: ${m}`) });
  };
  const decodeOptions = (opts: { orientation?: string; maxPixels?: number; shrinkOnLoad?: boolean }): DecodeOptions => {
    const o: DecodeOptions = {};
    if (opts.orientation === 'apply' || opts.orientation === 'ignore') o.orientation = opts.orientation;
    if (opts.maxPixels !== undefined) o.maxInputPixels = opts.maxPixels;
    if (opts.shrinkOnLoad === false) o.shrinkOnLoad = false;
    return o;
  };
  /**
   * Hashes each file in turn and hands its hashes to `each`. A file that cannot be hashed is
   * reported on stderr; once all are done, any such file makes the command fail.
   */
  const forEachHashed = async (
    cmd: Command,
    files: string[],
    opts: { orientation?: string; maxPixels?: number; dihedral?: boolean; shrinkOnLoad?: boolean },
    each: (file: string, h: ImageHashes) => void,
  ): Promise<void> => {
    const { err } = io(cmd);
    const hasher = new PdqHasher();
    let failed = 0;
    for (const file of files) {
      if (await isVideoFile(abs(file))) {
        failed++;
        err(`error: ${file}: a video, not an image (match it with: lifeguard video match ${file})`);
        continue;
      }
      let h: ImageHashes;
      try {
        h = await hashImageFile(abs(file), { ...decodeOptions(opts), dihedral: opts.dihedral === true, hasher });
      } catch (e) {
        failed++;
        err(
          `error: ${e instanceof ImageDecodeError ? `${file}: ${e.message.slice(e.source.length + 2)}` : `${file}: ${(e as Error).message}`}`,
        );
        continue;
      }
      each(file, h);
    }
    if (failed > 0) fail(cmd, `${failed} of ${files.length} file(s) could not be hashed`);
  };
  const orientationOption = () =>
    new Option('--orientation <mode>', 'EXIF orientation: ignore (as the reference tools) or apply')
      .choices(['ignore', 'apply'])
      .default('ignore');
  const shrinkOption = () =>
    new Option(
      '--no-shrink-on-load',
      'decode large JPEGs at full size (slower; bit for bit what the reference tools hash, a few bits from the default)',
    );
  const maxPixelsOption = () =>
    new Option('--max-pixels <n>', 'refuse images declaring more pixels than this').argParser(
      intOption('--max-pixels', 1, 2 ** 40),
    );
  // Commander errors (usage) and ours both end up as exit codes; report store/bank problems plainly.
  const guard = async (cmd: Command, body: () => Promise<void>): Promise<void> => {
    try {
      await body();
    } catch (err) {
      if (err instanceof BankError || err instanceof BankStoreError || err instanceof ImageDecodeError)
        fail(cmd, err.message);
      throw err;
    }
  };

  const videoContext: VideoCliContext = {
    abs,
    out: (cmd, line) => io(cmd).out(line),
    err: (cmd, line) => io(cmd).err(line),
    fail,
    registry: async (cmd, names) => {
      const registry = await loadRegistry(store(cmd), names);
      if (registry.selected(names).length === 0)
        fail(cmd, `no enabled banks in ${banksDir(cmd)} (import one with: lifeguard bank import NAME FILE)`);
      return registry;
    },
  };
  return {
    abs,
    banksDir,
    store,
    forEachHashed,
    orientationOption,
    maxPixelsOption,
    shrinkOption,
    guard,
    video: videoContext,
  };
}
