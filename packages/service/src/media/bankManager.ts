// Hash banks per tenant: the storage rows are the truth, and each tenant has an in-memory matcher
// (a BankRegistry) built from them on first use. Changes go to storage first, then to the loaded
// matcher incrementally (a PDQ add appends to the index's tail, a remove marks a slot dead), so an
// import never rebuilds a tenant's whole matcher. Changes and the first load of a tenant run one at a
// time per tenant, so a load can never miss a change made while it was reading.
//
// One process per store is assumed: another service instance's changes are seen after a restart.
import {
  BankError,
  loadRegistry,
  type BankEntry,
  type BankMatch,
  type BankRegistry,
  type BankSummary,
  type HashKind,
  type MatchOptions,
  type PdqHash,
} from '@lifeguard/pdq';
import { StorageHashBankStore, type Storage } from '@lifeguard/storage';

export interface BankInfo extends BankSummary {
  createdAt: string;
  updatedAt: string;
}

export interface ImportResult {
  added: number;
  duplicates: number;
}

interface TenantBanks {
  store: StorageHashBankStore;
  registry: BankRegistry;
}

export class MediaBankManager {
  private readonly loaded = new Map<string, Promise<TenantBanks>>();
  private readonly queues = new Map<string, Promise<unknown>>();

  constructor(private readonly storage: Storage) {}

  /** Runs `fn` after every earlier change of this tenant's banks has finished. */
  private serial<T>(tenantId: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.queues.get(tenantId) ?? Promise.resolve();
    const next = previous.then(fn, fn);
    const settled = next.then(
      () => undefined,
      () => undefined,
    );
    this.queues.set(tenantId, settled);
    void settled.then(() => {
      if (this.queues.get(tenantId) === settled) this.queues.delete(tenantId);
    });
    return next;
  }

  /** The tenant's matcher, loaded from storage the first time (lazily, once). */
  private tenant(tenantId: string): Promise<TenantBanks> {
    let banks = this.loaded.get(tenantId);
    if (!banks) {
      const store = new StorageHashBankStore(this.storage, tenantId);
      banks = this.serial(tenantId, async () => ({ store, registry: await loadRegistry(store) }));
      this.loaded.set(tenantId, banks);
      banks.catch(() => this.loaded.delete(tenantId));
    }
    return banks;
  }

  async list(tenantId: string): Promise<BankInfo[]> {
    const { store, registry } = await this.tenant(tenantId);
    const records = new Map((await store.listBanks()).map((r) => [r.name, r]));
    return registry.list().flatMap((summary) => {
      const record = records.get(summary.name);
      return record ? [{ ...summary, createdAt: record.createdAt, updatedAt: record.updatedAt }] : [];
    });
  }

  async get(tenantId: string, name: string): Promise<BankInfo> {
    const { store, registry } = await this.tenant(tenantId);
    const record = await store.getBank(name);
    const bank = registry.get(name);
    if (!record || !bank) throw new BankError('not_found', `no bank named "${name}"`);
    return { ...bank.summary(), createdAt: record.createdAt, updatedAt: record.updatedAt };
  }

  async create(tenantId: string, name: string, enabled = true): Promise<BankInfo> {
    const t = await this.tenant(tenantId);
    await this.serial(tenantId, async () => {
      await t.store.createBank(name);
      if (!enabled) await t.store.setEnabled(name, false);
      t.registry.create(name, { enabled });
    });
    return this.get(tenantId, name);
  }

  async delete(tenantId: string, name: string): Promise<boolean> {
    const t = await this.tenant(tenantId);
    return this.serial(tenantId, async () => {
      const existed = await t.store.deleteBank(name);
      t.registry.delete(name);
      return existed;
    });
  }

  async setEnabled(tenantId: string, name: string, enabled: boolean): Promise<BankInfo> {
    const t = await this.tenant(tenantId);
    await this.serial(tenantId, async () => {
      await t.store.setEnabled(name, enabled);
      t.registry.setEnabled(name, enabled);
    });
    return this.get(tenantId, name);
  }

  /**
   * Adds entries that are not in the bank yet (duplicates within the batch counted once). A large list
   * is stored and added in slices, yielding to other requests between them, and the matcher's index
   * is rebuilt once at the end in steps, so an import never stalls decisions for long. A crash midway
   * leaves the slices already stored; importing the list again adds the rest (the others are duplicates).
   */
  async add(tenantId: string, name: string, entries: readonly BankEntry[]): Promise<ImportResult> {
    const t = await this.tenant(tenantId);
    return this.serial(tenantId, async () => {
      const bank = t.registry.require(name);
      const seen = new Set<string>();
      let added = 0;
      for (let from = 0; from < entries.length; from += IMPORT_SLICE) {
        const fresh: BankEntry[] = [];
        for (const entry of entries.slice(from, from + IMPORT_SLICE)) {
          const key = `${entry.kind}:${entry.hash.toLowerCase()}`;
          if (seen.has(key) || bank.has(entry.kind, entry.hash)) continue;
          seen.add(key);
          fresh.push(
            entry.meta === undefined
              ? { kind: entry.kind, hash: entry.hash.toLowerCase() }
              : { kind: entry.kind, hash: entry.hash.toLowerCase(), meta: entry.meta },
          );
        }
        // Storage first: if it fails, the matcher has not changed either.
        if (fresh.length > 0) await t.store.addEntries(name, fresh);
        added += bank.addMany(fresh, { deferIndex: true }).added;
        await yieldToOthers();
      }
      for (const _ of bank.indexSteps()) await yieldToOthers();
      return { added, duplicates: entries.length - added };
    });
  }

  /** Removes one hash. With no kind, a 64-digit hash is looked for as PDQ, then as SHA-256. */
  async remove(
    tenantId: string,
    name: string,
    hash: string,
    kind?: HashKind,
  ): Promise<{ kind: HashKind; hash: string } | null> {
    const t = await this.tenant(tenantId);
    return this.serial(tenantId, async () => {
      const bank = t.registry.require(name);
      const candidates: HashKind[] = kind ? [kind] : hash.length === 32 ? ['md5'] : ['pdq', 'sha256'];
      const found = candidates.find((k) => bank.has(k, hash));
      if (!found) return null;
      const key = { kind: found, hash: hash.toLowerCase() };
      await t.store.removeEntries(name, [key]);
      bank.remove(found, key.hash);
      return key;
    });
  }

  async matchPdq(tenantId: string, query: PdqHash, options: MatchOptions): Promise<BankMatch[]> {
    return (await this.tenant(tenantId)).registry.matchPdq(query, options);
  }

  async matchExact(
    tenantId: string,
    kind: 'md5' | 'sha256',
    hash: string,
    options: MatchOptions,
  ): Promise<BankMatch[]> {
    return (await this.tenant(tenantId)).registry.matchExact(kind, hash, options);
  }

  /** Drops a tenant's matcher; the next use reloads it from storage. */
  forget(tenantId: string): void {
    this.loaded.delete(tenantId);
  }
}

/** Entries stored and added per slice of an import. */
const IMPORT_SLICE = 20_000;

const yieldToOthers = () => new Promise<void>((resolve) => setImmediate(resolve));
