// `lifeguard bank list | create | delete | enable | disable | import | add | remove | export`:
// named hash banks kept in the bank directory.

import { readFile, stat } from 'node:fs/promises';
import { type Command, Option } from 'commander';
import { BankError, type BankEntry } from './bank.ts';
import { loadRegistry } from './bankStore.ts';
import { normalizeHash, parseHashList, type HashKind } from './hashList.ts';
import { type ImageCliContext, fail, io, kindOption } from './imageCliContext.ts';

/** Import lists larger than this are refused (a bank list is text; this is ~8 million lines). */
const MAX_LIST_BYTES = 1024 * 1024 * 1024;
const MAX_SHOWN_ERRORS = 20;

export function registerBankCommands(program: Command, ctx: ImageCliContext): void {
  const { abs, banksDir, store, guard } = ctx;
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
