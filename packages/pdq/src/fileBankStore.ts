// HashBankStore on plain files, so the CLI can keep banks without a database.
//
// Layout of the directory:
//   banks.json        {"version":1,"banks":{"<name>":{"enabled":true,"createdAt":"…","updatedAt":"…"}}}
//   <name>.jsonl      one operation per line, appended:
//                       {"op":"add","kind":"pdq","hash":"<64 hex>","meta":"…"}
//                       {"op":"remove","kind":"md5","hash":"<32 hex>"}
//
// banks.json is replaced atomically (write to a temporary file, then rename). Operations are
// appended, so an add or remove never rewrites the bank; compact() rewrites a bank's log from
// its current contents when removals have piled up. A final line cut short by a crash mid-append
// is ignored (and reported through onWarning); any other bad line is an error naming file:line.
// One writer at a time: concurrent CLI processes writing the same directory are not supported.

import { createReadStream } from 'node:fs';
import { appendFile, mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { BankError, validateBankName, type BankEntry } from './bank.ts';
import type { BankOp, BankRecord, HashBankStore } from './bankStore.ts';
import { isHashKind, normalizeHash, type HashKind } from './hashList.ts';

interface Manifest {
  version: 1;
  banks: Record<string, { enabled: boolean; createdAt: string; updatedAt: string }>;
}

export class BankStoreError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BankStoreError';
  }
}

export class FileBankStore implements HashBankStore {
  readonly dir: string;
  private readonly onWarning: (message: string) => void;

  constructor(dir: string, options: { onWarning?: (message: string) => void } = {}) {
    this.dir = dir;
    this.onWarning = options.onWarning ?? (() => {});
  }

  async listBanks(): Promise<BankRecord[]> {
    const manifest = await this.readManifest();
    return Object.entries(manifest.banks)
      .map(([name, b]) => ({ name, ...b }))
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  async getBank(name: string): Promise<BankRecord | undefined> {
    const b = (await this.readManifest()).banks[name];
    return b ? { name, ...b } : undefined;
  }

  async createBank(name: string): Promise<BankRecord> {
    validateBankName(name);
    const manifest = await this.readManifest();
    if (manifest.banks[name]) throw new BankError('exists', `bank "${name}" already exists`);
    const t = new Date().toISOString();
    await mkdir(this.dir, { recursive: true });
    await writeFile(this.logPath(name), '', { flag: 'w' });
    manifest.banks[name] = { enabled: true, createdAt: t, updatedAt: t };
    await this.writeManifest(manifest);
    return { name, ...manifest.banks[name]! };
  }

  async deleteBank(name: string): Promise<boolean> {
    const manifest = await this.readManifest();
    if (!manifest.banks[name]) return false;
    delete manifest.banks[name];
    await this.writeManifest(manifest);
    await rm(this.logPath(name), { force: true });
    return true;
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const manifest = await this.readManifest();
    const bank = this.need(manifest, name);
    bank.enabled = enabled;
    bank.updatedAt = new Date().toISOString();
    await this.writeManifest(manifest);
  }

  async addEntries(name: string, entries: readonly BankEntry[]): Promise<void> {
    const lines = entries.map((e) =>
      JSON.stringify(
        e.meta === undefined
          ? { op: 'add', kind: e.kind, hash: e.hash }
          : { op: 'add', kind: e.kind, hash: e.hash, meta: e.meta },
      ),
    );
    await this.append(name, lines);
  }

  async removeEntries(name: string, keys: readonly { kind: HashKind; hash: string }[]): Promise<void> {
    await this.append(
      name,
      keys.map((k) => JSON.stringify({ op: 'remove', kind: k.kind, hash: k.hash })),
    );
  }

  async *readOps(name: string): AsyncIterable<BankOp> {
    this.need(await this.readManifest(), name);
    const path = this.logPath(name);
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch {
      throw new BankStoreError(`${path}: bank log is missing (banks.json lists "${name}")`);
    }
    if (size === 0) return;
    // Before the reader starts: readline emits lines as soon as it exists.
    const endsWithNewline = await lastByteIsNewline(path, size);
    const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
    let lineNo = 0;
    let pendingError: BankStoreError | undefined;
    for await (const line of lines) {
      if (pendingError) throw pendingError;
      lineNo++;
      if (line.trim() === '') continue;
      try {
        yield parseOp(line);
      } catch (err) {
        const error = new BankStoreError(`${path}:${lineNo}: ${(err as Error).message}`);
        // Only the last line may be a torn write; decide once we know whether more follow.
        if (endsWithNewline) throw error;
        pendingError = error;
      }
    }
    if (pendingError)
      this.onWarning(`${pendingError.message} (incomplete last line ignored; was a write interrupted?)`);
  }

  /** Rewrites a bank's log to exactly these entries (its current contents). */
  async compact(name: string, entries: Iterable<BankEntry>): Promise<void> {
    const manifest = await this.readManifest();
    this.need(manifest, name);
    const tmp = `${this.logPath(name)}.tmp-${process.pid}`;
    const handle = await open(tmp, 'w');
    try {
      let batch: string[] = [];
      for (const e of entries) {
        batch.push(
          JSON.stringify(e.meta === undefined ? { op: 'add', kind: e.kind, hash: e.hash } : { op: 'add', ...e }),
        );
        if (batch.length >= 10000) {
          await handle.write(`${batch.join('\n')}\n`);
          batch = [];
        }
      }
      if (batch.length > 0) await handle.write(`${batch.join('\n')}\n`);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(tmp, this.logPath(name));
  }

  private logPath(name: string): string {
    return join(this.dir, `${validateBankName(name)}.jsonl`);
  }

  private need(manifest: Manifest, name: string): Manifest['banks'][string] {
    const bank = manifest.banks[name];
    if (!bank) throw new BankError('not_found', `no bank named "${name}"`);
    return bank;
  }

  private async append(name: string, lines: string[]): Promise<void> {
    const manifest = await this.readManifest();
    const bank = this.need(manifest, name);
    if (lines.length === 0) return;
    const path = this.logPath(name);
    await dropTornLine(path);
    await appendFile(path, `${lines.join('\n')}\n`);
    bank.updatedAt = new Date().toISOString();
    await this.writeManifest(manifest);
  }

  private async readManifest(): Promise<Manifest> {
    const path = join(this.dir, 'banks.json');
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, banks: {} };
      throw err;
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (err) {
      throw new BankStoreError(`${path}: not valid JSON (${(err as Error).message})`);
    }
    if (!isManifest(parsed))
      throw new BankStoreError(`${path}: not a bank manifest (expected {"version":1,"banks":{…}})`);
    return parsed;
  }

  private async writeManifest(manifest: Manifest): Promise<void> {
    await mkdir(this.dir, { recursive: true });
    const path = join(this.dir, 'banks.json');
    const tmp = `${path}.tmp-${process.pid}`;
    await writeFile(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    await rename(tmp, path);
  }
}

function isManifest(value: unknown): value is Manifest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { version?: unknown; banks?: unknown };
  if (v.version !== 1 || typeof v.banks !== 'object' || v.banks === null || Array.isArray(v.banks)) return false;
  for (const [name, b] of Object.entries(v.banks as Record<string, unknown>)) {
    try {
      validateBankName(name);
    } catch {
      return false;
    }
    const r = b as { enabled?: unknown; createdAt?: unknown; updatedAt?: unknown };
    if (typeof r !== 'object' || r === null || typeof r.enabled !== 'boolean') return false;
    if (typeof r.createdAt !== 'string' || typeof r.updatedAt !== 'string') return false;
  }
  return true;
}

function parseOp(line: string): BankOp {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new Error('not valid JSON');
  }
  const v = value as { op?: unknown; kind?: unknown; hash?: unknown; meta?: unknown };
  if (typeof v !== 'object' || v === null) throw new Error('expected a JSON object');
  if (typeof v.kind !== 'string' || !isHashKind(v.kind)) throw new Error(`unknown hash kind ${JSON.stringify(v.kind)}`);
  if (typeof v.hash !== 'string') throw new Error('missing "hash"');
  const hash = normalizeHash(v.kind, v.hash);
  if (v.op === 'add') {
    if (v.meta !== undefined && typeof v.meta !== 'string') throw new Error('"meta" must be a string');
    const entry: BankEntry = { kind: v.kind, hash };
    if (typeof v.meta === 'string') entry.meta = v.meta;
    return { op: 'add', entry };
  }
  if (v.op === 'remove') return { op: 'remove', kind: v.kind, hash };
  throw new Error(`unknown op ${JSON.stringify(v.op)} (expected "add" or "remove")`);
}

/**
 * A log that does not end in a newline had its last append cut short; that operation never
 * completed, so the partial line is cut off before appending (otherwise it would end up in the
 * middle of the file and make it unreadable).
 */
async function dropTornLine(path: string): Promise<void> {
  let size: number;
  try {
    size = (await stat(path)).size;
  } catch {
    return; // missing log: appendFile creates it
  }
  if (size === 0 || (await lastByteIsNewline(path, size))) return;
  const handle = await open(path, 'r+');
  try {
    const span = Math.min(size, 1 << 20);
    const buf = Buffer.alloc(span);
    await handle.read(buf, 0, span, size - span);
    const lastNewline = buf.lastIndexOf(0x0a);
    if (lastNewline < 0 && span < size)
      throw new BankStoreError(`${path}: last line is over 1 MiB long; the log needs repair`);
    await handle.truncate(lastNewline < 0 ? 0 : size - span + lastNewline + 1);
  } finally {
    await handle.close();
  }
}

async function lastByteIsNewline(path: string, size: number): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const buf = Buffer.alloc(1);
    await handle.read(buf, 0, 1, size - 1);
    return buf[0] === 0x0a;
  } finally {
    await handle.close();
  }
}
