// CLI commands for known-image matching, registered onto the main `lifeguard` program:
//
//   lifeguard hash FILE...                      PDQ hash and quality (--dihedral, --json)
//   lifeguard match FILE... [--bank NAME]...    compare against enabled banks
//   lifeguard bank import NAME FILE             import a hash list (creates the bank)
//   lifeguard bank list | create | delete | enable | disable | add | remove | export
//
// Banks persist in a directory (--banks-dir, else $LIFEGUARD_HOME/banks, else .lifeguard/banks).
// Output never includes image content: hashes, distances, bank names and list metadata only.

import { readFile, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { BankError, type BankRegistry, DEFAULT_MAX_DISTANCE, type BankEntry, type BankMatch } from './bank.ts';
import { loadRegistry } from './bankStore.ts';
import { ImageDecodeError, type DecodeOptions } from './decode.ts';
import { BankStoreError, FileBankStore } from './fileBankStore.ts';
import { isHashKind, normalizeHash, parseHashList, type HashKind } from './hashList.ts';
import { hexToHash } from './hex.ts';
import { hashImageFile, type ImageHashes } from './imageHash.ts';
import { DIHEDRAL_NAMES, PDQ_RECOMMENDED_MIN_QUALITY, PdqHasher } from './pdq.ts';
import { isVideoFile, printVideoHashes, registerVideoCommands, type VideoCliContext } from './videoCli.ts';

export interface ImageCommandOptions {
  /** Environment to read LIFEGUARD_HOME from. Default process.env. */
  env?: Record<string, string | undefined>;
  /** Directory relative paths are resolved against. Default process.cwd(). */
  cwd?: string;
}

/** Import lists larger than this are refused (a bank list is text; this is ~8 million lines). */
const MAX_LIST_BYTES = 1024 * 1024 * 1024;
const MAX_SHOWN_ERRORS = 20;

interface Io {
  out: (line: string) => void;
  err: (line: string) => void;
}

function io(cmd: Command): Io {
  let root = cmd;
  while (root.parent) root = root.parent;
  const config = root.configureOutput();
  const writeOut = config.writeOut ?? ((s: string) => process.stdout.write(s));
  const writeErr = config.writeErr ?? ((s: string) => process.stderr.write(s));
  return { out: (line) => writeOut(`${line}\n`), err: (line) => writeErr(`${line}\n`) };
}

function fail(cmd: Command, message: string): never {
  cmd.error(`error: ${message}`, { exitCode: 1, code: 'lifeguard.pdq' });
}

function intOption(name: string, min: number, max: number) {
  return (value: string): number => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`${name} must be an integer from ${min} to ${max}`);
    }
    return n;
  };
}

function collect(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

function kindOption(value: string): HashKind {
  const v = value.toLowerCase();
  if (!isHashKind(v)) throw new InvalidArgumentError('kind must be pdq, md5 or sha256');
  return v;
}

/** Text safe for one terminal line: no control characters, bounded length. */
function printable(text: string, max = 200): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

export function registerImageCommands(program: Command, options: ImageCommandOptions = {}): void {
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
  registerVideoCommands(program, videoContext);

  // ---------------------------------------------------------------- hash
  program
    .command('hash')
    .description(
      'print the PDQ hash and quality of image files (JPEG, PNG, WebP, GIF, TIFF, HEIF); ' +
        'for a video, hash,quality,file,timestamp per distinct frame sampled (needs ffmpeg)',
    )
    .argument('<files...>', 'image or video files')
    .option('--dihedral', 'also print the hashes of the 7 rotations/mirror images')
    .option('--json', 'one JSON object per file (adds MD5, SHA-256, size, orientation)')
    .addOption(orientationOption())
    .addOption(maxPixelsOption())
    .addOption(shrinkOption())
    .option('--fps <n>', 'video frames sampled per second (default 1)', (v: string) => {
      const n = Number(v);
      if (!(n >= 0.01 && n <= 60)) throw new InvalidArgumentError('--fps must be a number from 0.01 to 60');
      return n;
    })
    .action(
      async (
        all: string[],
        opts: {
          dihedral?: boolean;
          json?: boolean;
          orientation: string;
          maxPixels?: number;
          shrinkOnLoad?: boolean;
          fps?: number;
        },
        cmd: Command,
      ) => {
        const { out } = io(cmd);
        const isVideo = await Promise.all(all.map((f) => isVideoFile(abs(f))));
        const videos = all.filter((_, i) => isVideo[i]);
        const files = all.filter((_, i) => !isVideo[i]);
        const videoFailures = await printVideoHashes(videoContext, cmd, videos, opts);
        if (files.length > 0) {
          await forEachHashed(cmd, files, opts, (file, h) => {
            if (opts.json) {
              out(JSON.stringify({ ...h, source: file }));
            } else if (opts.dihedral && h.dihedral) {
              for (const name of DIHEDRAL_NAMES) out(`${h.dihedral[name]},${h.quality},${file},${name}`);
            } else {
              out(`${h.pdq},${h.quality},${file}`);
            }
          });
        }
        if (videoFailures > 0) fail(cmd, `${videoFailures} of ${videos.length} video(s) could not be hashed`);
      },
    );

  // ---------------------------------------------------------------- match
  program
    .command('match')
    .description('match image files against the enabled hash banks (PDQ within a distance, MD5/SHA-256 exactly)')
    .argument('<files...>', 'image files')
    .option('--bank <name>', 'only this bank (repeatable); default: every enabled bank', collect)
    .option('--banks-dir <dir>', 'bank directory (default $LIFEGUARD_HOME/banks or .lifeguard/banks)')
    .option(
      '--max-distance <n>',
      `PDQ Hamming distance that counts as a match (default ${DEFAULT_MAX_DISTANCE})`,
      intOption('--max-distance', 0, 256),
    )
    .option(
      '--min-quality <n>',
      `skip PDQ matching for images of lower quality (default ${PDQ_RECOMMENDED_MIN_QUALITY}); exact hashes are always checked`,
      intOption('--min-quality', 0, 100),
    )
    .option('--dihedral', 'also match rotated and mirrored copies (8 PDQ lookups per image)')
    .option('--json', 'one JSON object per file')
    .addOption(orientationOption())
    .addOption(maxPixelsOption())
    .addOption(shrinkOption())
    .action(
      async (
        files: string[],
        opts: {
          bank?: string[];
          maxDistance?: number;
          minQuality?: number;
          dihedral?: boolean;
          json?: boolean;
          orientation: string;
          maxPixels?: number;
          shrinkOnLoad?: boolean;
        },
        cmd: Command,
      ) =>
        guard(cmd, async () => {
          const { out, err } = io(cmd);
          const maxDistance = opts.maxDistance ?? DEFAULT_MAX_DISTANCE;
          const minQuality = opts.minQuality ?? PDQ_RECOMMENDED_MIN_QUALITY;
          const registry = await loadRegistry(store(cmd), opts.bank);
          const banks = registry.selected(opts.bank);
          if (banks.length === 0)
            fail(cmd, `no enabled banks in ${banksDir(cmd)} (import one with: lifeguard bank import NAME FILE)`);
          await forEachHashed(cmd, files, opts, (file, h) => {
            const matches = matchHashes(registry, h, {
              banks: opts.bank,
              maxDistance,
              minQuality,
              dihedral: opts.dihedral === true,
            });
            const pdqChecked = h.quality >= minQuality;
            if (opts.json) {
              out(
                JSON.stringify({
                  file,
                  pdq: h.pdq,
                  quality: h.quality,
                  pdqChecked,
                  md5: h.md5,
                  sha256: h.sha256,
                  matches,
                }),
              );
              return;
            }
            if (!pdqChecked) {
              err(
                `note: ${file}: quality ${h.quality} is below ${minQuality}, PDQ not matched (MD5/SHA-256 were checked)`,
              );
            }
            if (matches.length === 0) {
              out(`no match  ${file}  (pdq ${h.pdq} quality ${h.quality}; ${banks.length} bank(s))`);
            }
            for (const m of matches) {
              const parts = [
                `MATCH  ${file}`,
                `bank=${m.bank}`,
                `kind=${m.kind}`,
                `distance=${m.distance}`,
                `hash=${m.hash}`,
              ];
              if (m.transform && m.transform !== 'orig') parts.push(`transform=${m.transform}`);
              if (m.meta !== undefined) parts.push(`meta=${JSON.stringify(printable(m.meta))}`);
              out(parts.join('  '));
            }
          });
        }),
    );

  // ---------------------------------------------------------------- bank
  const bank = program
    .command('bank')
    .description('manage hash banks (lists of known-image hashes)')
    .option('--banks-dir <dir>', 'bank directory (default $LIFEGUARD_HOME/banks or .lifeguard/banks)');

  bank
    .command('list')
    .description('list banks with their state and hash counts')
    .option('--json', 'JSON output')
    .action(async (opts: { json?: boolean }, cmd: Command) =>
      guard(cmd, async () => {
        const { out } = io(cmd);
        const registry = await loadRegistry(store(cmd));
        const list = registry.list();
        if (opts.json) {
          out(JSON.stringify(list));
          return;
        }
        if (list.length === 0) {
          out(`no banks in ${banksDir(cmd)}`);
          return;
        }
        for (const b of list) {
          out(
            `${b.name}  ${b.enabled ? 'enabled' : 'disabled'}  pdq=${b.counts.pdq} md5=${b.counts.md5} sha256=${b.counts.sha256}`,
          );
        }
      }),
    );

  bank
    .command('create')
    .description('create an empty bank')
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) =>
      guard(cmd, async () => {
        await store(cmd).createBank(name);
        io(cmd).out(`created bank ${name}`);
      }),
    );

  bank
    .command('delete')
    .description('delete a bank and all its hashes')
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) =>
      guard(cmd, async () => {
        if (!(await store(cmd).deleteBank(name))) throw new BankError('not_found', `no bank named "${name}"`);
        io(cmd).out(`deleted bank ${name}`);
      }),
    );

  for (const [verb, enabled] of [
    ['enable', true],
    ['disable', false],
  ] as const) {
    bank
      .command(verb)
      .description(`${verb} a bank for matching`)
      .argument('<name>')
      .action(async (name: string, _opts: unknown, cmd: Command) =>
        guard(cmd, async () => {
          await store(cmd).setEnabled(name, enabled);
          io(cmd).out(`${verb}d bank ${name}`);
        }),
      );
  }

  bank
    .command('import')
    .description('import a hash list: one hash per line, optional ",metadata"; pdq:/md5:/sha256: prefixes allowed')
    .argument('<name>', 'bank (created if missing)')
    .argument('<file>', 'hash list')
    .addOption(
      new Option('--kind <kind>', 'kind of bare 64-hex-digit hashes').choices(['pdq', 'sha256']).default('pdq'),
    )
    .option('--skip-invalid', 'import the valid lines even if some lines are malformed (they are listed)')
    .action(async (name: string, file: string, opts: { kind: 'pdq' | 'sha256'; skipInvalid?: boolean }, cmd: Command) =>
      guard(cmd, async () => {
        const { out, err } = io(cmd);
        const path = abs(file);
        let size: number;
        let isFile: boolean;
        try {
          const info = await stat(path);
          size = info.size;
          isFile = info.isFile();
        } catch (e) {
          const code = (e as NodeJS.ErrnoException).code;
          fail(cmd, `${file}: ${code === 'ENOENT' ? 'no such file' : `cannot read (${code ?? String(e)})`}`);
        }
        if (!isFile) fail(cmd, `${file}: not a regular file`);
        if (size > MAX_LIST_BYTES)
          fail(cmd, `${file}: ${size} bytes is over the ${MAX_LIST_BYTES}-byte limit for a hash list`);
        const text = await readFile(path, 'utf8');
        const parsed = parseHashList(text, { defaultKind: opts.kind });
        for (const e of parsed.errors.slice(0, MAX_SHOWN_ERRORS)) err(`${file}:${e.line}: ${e.message}`);
        if (parsed.errorCount > MAX_SHOWN_ERRORS)
          err(`${file}: … and ${parsed.errorCount - MAX_SHOWN_ERRORS} more bad line(s)`);
        if (parsed.errorCount > 0 && !opts.skipInvalid) {
          fail(
            cmd,
            `${file}: ${parsed.errorCount} malformed line(s); nothing imported (fix them, or use --skip-invalid)`,
          );
        }
        const s = store(cmd);
        let created = false;
        if (!(await s.getBank(name))) {
          await s.createBank(name);
          created = true;
        }
        const registry = await loadRegistry(s, [name]);
        const target = registry.require(name);
        // Keep only entries new to the bank (and the first of any repeats in the file).
        const fresh: BankEntry[] = [];
        let duplicates = 0;
        const entries: BankEntry[] = parsed.entries.map((e) =>
          e.meta === undefined ? { kind: e.kind, hash: e.hash } : { kind: e.kind, hash: e.hash, meta: e.meta },
        );
        const existed = entries.map((e) => target.has(e.kind, e.hash));
        target.addMany(entries);
        const seen = new Set<string>();
        for (let i = 0; i < entries.length; i++) {
          const e = entries[i]!;
          const key = `${e.kind}:${e.hash}`;
          if (existed[i] || seen.has(key)) {
            duplicates++;
            continue;
          }
          seen.add(key);
          fresh.push(e);
        }
        await s.addEntries(name, fresh);
        const counts = target.counts;
        out(
          `${created ? 'created bank' : 'bank'} ${name}: imported ${fresh.length} new hash(es), ${duplicates} already present` +
            `${parsed.errorCount > 0 ? `, ${parsed.errorCount} malformed line(s) skipped` : ''}` +
            ` (now pdq=${counts.pdq} md5=${counts.md5} sha256=${counts.sha256})`,
        );
      }),
    );

  bank
    .command('add')
    .description('add one hash to a bank')
    .argument('<name>')
    .argument('<hash>')
    .option('--kind <kind>', 'pdq (default for 64 hex digits), md5 or sha256', kindOption)
    .option('--meta <text>', 'metadata to keep with the hash')
    .action(async (name: string, hash: string, opts: { kind?: HashKind; meta?: string }, cmd: Command) =>
      guard(cmd, async () => {
        const kind = opts.kind ?? (hash.length === 32 ? 'md5' : 'pdq');
        const entry: BankEntry = { kind, hash: normalizeHashOrFail(cmd, kind, hash) };
        if (opts.meta !== undefined) {
          // eslint-disable-next-line no-control-regex
          if (opts.meta.length > 1024 || /[\u0000-\u0008\u000b-\u001f\u007f]/.test(opts.meta))
            fail(cmd, '--meta must be at most 1024 printable characters');
          entry.meta = opts.meta;
        }
        const s = store(cmd);
        const registry = await loadRegistry(s, [name]);
        if (!registry.require(name).add(entry)) {
          io(cmd).out(`${kind} ${entry.hash} is already in bank ${name}`);
          return;
        }
        await s.addEntries(name, [entry]);
        io(cmd).out(`added ${kind} ${entry.hash} to bank ${name}`);
      }),
    );

  bank
    .command('remove')
    .description('remove one hash from a bank')
    .argument('<name>')
    .argument('<hash>')
    .option('--kind <kind>', 'pdq (default for 64 hex digits), md5 or sha256', kindOption)
    .action(async (name: string, hash: string, opts: { kind?: HashKind }, cmd: Command) =>
      guard(cmd, async () => {
        const kind = opts.kind ?? (hash.length === 32 ? 'md5' : 'pdq');
        const normalized = normalizeHashOrFail(cmd, kind, hash);
        const s = store(cmd);
        const registry = await loadRegistry(s, [name]);
        if (!registry.require(name).remove(kind, normalized)) fail(cmd, `${kind} ${normalized} is not in bank ${name}`);
        await s.removeEntries(name, [{ kind, hash: normalized }]);
        io(cmd).out(`removed ${kind} ${normalized} from bank ${name}`);
      }),
    );

  bank
    .command('export')
    .description('print a bank as a hash list (kind:hash,metadata), e.g. to move it elsewhere')
    .argument('<name>')
    .action(async (name: string, _opts: unknown, cmd: Command) =>
      guard(cmd, async () => {
        const { out } = io(cmd);
        const registry = await loadRegistry(store(cmd), [name]);
        for (const e of registry.require(name).entries())
          out(`${e.kind}:${e.hash}${e.meta !== undefined ? `,${e.meta}` : ''}`);
      }),
    );
}

function normalizeHashOrFail(cmd: Command, kind: HashKind, hash: string): string {
  try {
    return normalizeHash(kind, hash);
  } catch (e) {
    fail(cmd, (e as Error).message);
  }
}

export interface FileMatch extends Omit<BankMatch, 'kind'> {
  kind: BankMatch['kind'];
  /** Which dihedral variant of the query matched (pdq only). */
  transform?: string;
}

/** All bank matches for one hashed image: exact MD5/SHA-256, then PDQ (and its variants). */
export function matchHashes(
  registry: BankRegistry,
  h: ImageHashes,
  options: { banks?: readonly string[] | undefined; maxDistance: number; minQuality: number; dihedral: boolean },
): FileMatch[] {
  const sel = options.banks === undefined ? {} : { banks: options.banks };
  const out: FileMatch[] = [];
  for (const kind of ['md5', 'sha256'] as const) out.push(...registry.matchExact(kind, h[kind], sel));
  if (h.quality < options.minQuality) return out;
  const variants: [string, string][] =
    options.dihedral && h.dihedral ? DIHEDRAL_NAMES.map((n) => [n, h.dihedral![n]]) : [['orig', h.pdq]];
  const best = new Map<string, FileMatch>();
  for (const [transform, hex] of variants) {
    for (const m of registry.matchPdq(hexToHash(hex), { ...sel, maxDistance: options.maxDistance })) {
      const key = `${m.bank}:${m.hash}`;
      const prev = best.get(key);
      if (!prev || m.distance < prev.distance) best.set(key, { ...m, transform });
    }
  }
  out.push(...[...best.values()].sort((a, b) => a.distance - b.distance || a.bank.localeCompare(b.bank)));
  return out;
}
