// The PDQ package's HashBankStore on top of this storage (tables banks and bank_hashes), one tenant
// per instance. Banks loaded with loadRegistry(new StorageHashBankStore(storage, tenant)) match
// images for that platform only.
import {
  BankError,
  validateBankName,
  type BankEntry,
  type BankOp,
  type BankRecord,
  type HashBankStore,
  type HashKind,
} from '@lifeguard/pdq/pure';
import type { HashBankRecord, Storage } from './types.ts';

const PAGE = 5_000;

function toBankRecord(b: HashBankRecord): BankRecord {
  return {
    name: b.name,
    enabled: b.enabled,
    createdAt: new Date(b.createdAt).toISOString(),
    updatedAt: new Date(b.updatedAt).toISOString(),
  };
}

export class StorageHashBankStore implements HashBankStore {
  constructor(
    private readonly storage: Storage,
    private readonly tenantId: string,
  ) {}

  async listBanks(): Promise<BankRecord[]> {
    return (await this.storage.listBanks(this.tenantId)).map(toBankRecord);
  }

  async getBank(name: string): Promise<BankRecord | undefined> {
    const bank = await this.storage.getBank(this.tenantId, name);
    return bank ? toBankRecord(bank) : undefined;
  }

  async createBank(name: string): Promise<BankRecord> {
    validateBankName(name);
    if (await this.storage.getBank(this.tenantId, name)) throw new BankError('exists', `bank "${name}" already exists`);
    return toBankRecord(await this.storage.upsertBank({ tenantId: this.tenantId, name, enabled: true, source: null }));
  }

  async deleteBank(name: string): Promise<boolean> {
    return this.storage.deleteBank(this.tenantId, name);
  }

  async setEnabled(name: string, enabled: boolean): Promise<void> {
    const bank = await this.need(name);
    await this.storage.upsertBank({ tenantId: this.tenantId, name, enabled, source: bank.source });
  }

  async addEntries(name: string, entries: readonly BankEntry[]): Promise<void> {
    await this.need(name);
    await this.storage.addBankHashes(
      this.tenantId,
      name,
      entries.map((e) => ({ kind: e.kind, hash: e.hash, metadata: e.meta === undefined ? null : { meta: e.meta } })),
    );
  }

  async removeEntries(name: string, keys: readonly { kind: HashKind; hash: string }[]): Promise<void> {
    await this.need(name);
    for (const k of keys) await this.storage.removeBankHash(this.tenantId, name, k.kind, k.hash);
  }

  async *readOps(name: string): AsyncIterable<BankOp> {
    await this.need(name);
    let after: { kind: HashKind; hash: string } | undefined;
    for (;;) {
      const page = await this.storage.listBankHashes(this.tenantId, {
        bank: name,
        limit: PAGE,
        ...(after ? { after } : {}),
      });
      for (const h of page) {
        const meta = h.metadata?.meta;
        yield {
          op: 'add',
          entry: typeof meta === 'string' ? { kind: h.kind, hash: h.hash, meta } : { kind: h.kind, hash: h.hash },
        };
      }
      if (page.length < PAGE) return;
      const last = page[page.length - 1]!;
      after = { kind: last.kind, hash: last.hash };
    }
  }

  private async need(name: string): Promise<HashBankRecord> {
    const bank = await this.storage.getBank(this.tenantId, name);
    if (!bank) throw new BankError('not_found', `no bank named "${name}"`);
    return bank;
  }
}
