// Where banks live between runs. Pure module (no Node imports): the interface, an in-memory
// implementation, and the loader that turns a store into a BankRegistry. The JSON-lines file
// implementation is in fileBankStore.ts; SQL implementations can implement the same interface.
//
// The contract is deliberately small. A store keeps, per bank, a record (name, enabled, times)
// and its entries. Entries are reported as an ordered stream of operations (add / remove) that,
// applied in order, give the bank's contents: an append-only log can hand over its log as it
// is, a table of current rows just yields one `add` per row. Callers deduplicate before calling
// addEntries (BankRegistry does), so stores never have to.

import { BankError, BankRegistry, validateBankName, type BankEntry } from './bank.ts';
import type { HashKind } from './hashList.ts';

export interface BankRecord {
  name: string;
  enabled: boolean;
  /** ISO-8601 timestamps. */
  createdAt: string;
  updatedAt: string;
}

export type BankOp = { op: 'add'; entry: BankEntry } | { op: 'remove'; kind: HashKind; hash: string };

export interface HashBankStore {
  listBanks(): Promise<BankRecord[]>;
  getBank(name: string): Promise<BankRecord | undefined>;
  /** Creates an empty, enabled bank. Fails with BankError 'exists' if the name is taken. */
  createBank(name: string): Promise<BankRecord>;
  /** Deletes the bank and its entries. Returns false if there was none. */
  deleteBank(name: string): Promise<boolean>;
  /** Fails with BankError 'not_found' for an unknown bank (as do the methods below). */
  setEnabled(name: string, enabled: boolean): Promise<void>;
  /** Appends entries that the caller has checked are not already in the bank. */
  addEntries(name: string, entries: readonly BankEntry[]): Promise<void>;
  /** Records removal of entries that the caller has checked are in the bank. */
  removeEntries(name: string, keys: readonly { kind: HashKind; hash: string }[]): Promise<void>;
  /** The bank's contents as operations to apply in order. */
  readOps(name: string): AsyncIterable<BankOp>;
}

function now(): string {
  return new Date().toISOString();
}

/** Keeps everything in memory; for tests, and for services that load banks from elsewhere. */
export class MemoryBankStore implements HashBankStore {
  private readonly banks = new Map<string, { record: BankRecord; entries: Map<string, BankEntry> }>();

  async listBanks(): Promise<BankRecord[]> {
    return [...this.banks.values()].map((b) => ({ ...b.record })).sort((a, b) => a.name.localeCompare(b.name));
  }

  async getBank(name: string): Promise<BankRecord | undefined> {
    const bank = this.banks.get(name);
    return bank ? { ...bank.record } : undefined;
  }

  async createBank(name: string): Promise<BankRecord> {
    validateBankName(name);
    if (this.banks.has(name)) throw new BankError('exists', `bank "${name}" already exists`);
    const t = now();
    const record: BankRecord = { name, enabled: true, createdAt: t, updatedAt: t };
    this.banks.set(name, { record, entries: new Map() });
    return { ...record };
  }

  async deleteBank(name: string): Promise<boolean> {
    return this.banks.delete(name);
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const bank = this.need(name);
    bank.record.enabled = enabled;
    bank.record.updatedAt = now();
  }

  async addEntries(name: string, entries: readonly BankEntry[]): Promise<void> {
    const bank = this.need(name);
    for (const e of entries) bank.entries.set(`${e.kind}:${e.hash}`, { ...e });
    bank.record.updatedAt = now();
  }

  async removeEntries(name: string, keys: readonly { kind: HashKind; hash: string }[]): Promise<void> {
    const bank = this.need(name);
    for (const k of keys) bank.entries.delete(`${k.kind}:${k.hash}`);
    bank.record.updatedAt = now();
  }

  async *readOps(name: string): AsyncIterable<BankOp> {
    const bank = this.need(name);
    for (const entry of [...bank.entries.values()]) yield { op: 'add', entry: { ...entry } };
  }

  private need(name: string): { record: BankRecord; entries: Map<string, BankEntry> } {
    const bank = this.banks.get(name);
    if (!bank) throw new BankError('not_found', `no bank named "${name}"`);
    return bank;
  }
}

/**
 * Builds a registry from a store: every bank, or only the named ones (each must exist).
 * Adds are batched so each bank's PDQ tables are built once.
 */
export async function loadRegistry(store: HashBankStore, names?: readonly string[]): Promise<BankRegistry> {
  const registry = new BankRegistry();
  let records: BankRecord[];
  if (names && names.length > 0) {
    records = [];
    for (const name of names) {
      const record = await store.getBank(name);
      if (!record) throw new BankError('not_found', `no bank named "${name}"`);
      records.push(record);
    }
  } else {
    records = await store.listBanks();
  }
  for (const record of records) {
    const bank = registry.create(record.name, { enabled: record.enabled });
    let pending: BankEntry[] = [];
    for await (const op of store.readOps(record.name)) {
      if (op.op === 'add') {
        pending.push(op.entry);
      } else {
        if (pending.length > 0) bank.addMany(pending);
        pending = [];
        bank.remove(op.kind, op.hash);
      }
    }
    if (pending.length > 0) bank.addMany(pending);
  }
  return registry;
}
