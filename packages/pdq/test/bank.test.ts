import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import {
  BankError,
  BankRegistry,
  FileBankStore,
  HashBank,
  hashToHex,
  hexToHash,
  loadRegistry,
  MemoryBankStore,
  type HashBankStore,
} from '../src/index.ts';
import { flipBits, randomHashes, rng } from './helpers.ts';

const PDQ = 'f8f8f0cee0f4a84f06370a22038f63f0b36e2ed596621e1d33e6b39c4e9c9b22';
const MD5 = '0123456789abcdef0123456789abcdef';
const SHA = 'b'.repeat(64);

function near(hex: string, flips: number, seed = 1): string {
  return hashToHex(flipBits(hexToHash(hex), 0, flips, rng(seed)));
}

describe('hash bank', () => {
  it('matches PDQ hashes within the distance and reports the entry metadata', () => {
    const bank = new HashBank('ncmec-test');
    assert.equal(bank.add({ kind: 'pdq', hash: PDQ, meta: 'case 17' }), true);
    const [m] = bank.matchPdq(hexToHash(near(PDQ, 12)));
    assert.deepEqual(m, { bank: 'ncmec-test', kind: 'pdq', hash: PDQ, distance: 12, meta: 'case 17' });
    assert.equal(bank.matchPdq(hexToHash(near(PDQ, 40)), 31).length, 0);
    assert.equal(bank.matchPdq(hexToHash(near(PDQ, 40)), 40).length, 1);
  });

  it('matches MD5 and SHA-256 exactly, case-insensitively', () => {
    const bank = new HashBank('exact');
    bank.add({ kind: 'md5', hash: MD5.toUpperCase(), meta: 'file A' });
    bank.add({ kind: 'sha256', hash: SHA });
    assert.deepEqual(bank.matchExact('md5', MD5), {
      bank: 'exact',
      kind: 'md5',
      hash: MD5,
      distance: 0,
      meta: 'file A',
    });
    assert.equal(bank.matchExact('sha256', SHA)?.meta, undefined);
    assert.equal(bank.matchExact('md5', 'f'.repeat(32)), undefined);
    assert.deepEqual(bank.counts, { pdq: 0, md5: 1, sha256: 1 });
  });

  it('adds and removes single hashes, keeping duplicates out', () => {
    const bank = new HashBank('inc');
    assert.equal(bank.add({ kind: 'pdq', hash: PDQ, meta: 'first' }), true);
    assert.equal(bank.add({ kind: 'pdq', hash: PDQ.toUpperCase(), meta: 'second' }), false);
    assert.equal(bank.matchPdq(hexToHash(PDQ))[0]?.meta, 'first');
    assert.equal(bank.remove('pdq', PDQ), true);
    assert.equal(bank.remove('pdq', PDQ), false);
    assert.equal(bank.matchPdq(hexToHash(PDQ)).length, 0);
    assert.equal(bank.add({ kind: 'pdq', hash: PDQ, meta: 'again' }), true);
    assert.equal(bank.matchPdq(hexToHash(PDQ))[0]?.meta, 'again');
  });

  it('imports a batch, counting duplicates, with metadata kept for each new hash', () => {
    const bank = new HashBank('batch');
    const words = randomHashes(500, 3);
    const entries = Array.from({ length: 500 }, (_, i) => ({
      kind: 'pdq' as const,
      hash: hashToHex(words, i * 8),
      meta: `row ${i}`,
    }));
    assert.deepEqual(bank.addMany([...entries, entries[7]!, { kind: 'md5', hash: MD5 }, { kind: 'md5', hash: MD5 }]), {
      added: 501,
      duplicates: 2,
    });
    assert.equal(bank.matchPdq(words.subarray(7 * 8, 8 * 8))[0]?.meta, 'row 7');
    assert.equal(bank.matchPdq(words.subarray(499 * 8, 500 * 8))[0]?.meta, 'row 499');
  });

  it('rejects a batch with an invalid hash without adding any of it', () => {
    const bank = new HashBank('atomic');
    assert.throws(
      () =>
        bank.addMany([
          { kind: 'pdq', hash: PDQ },
          { kind: 'md5', hash: 'xyz' },
        ]),
      (e: unknown) => e instanceof BankError && e.code === 'invalid_hash',
    );
    assert.equal(bank.size, 0);
  });

  it('refuses unsafe bank names', () => {
    for (const name of ['', '../etc', 'a/b', '.hidden', 'x'.repeat(65), 'sp ace']) {
      assert.throws(
        () => new HashBank(name),
        (e: unknown) => e instanceof BankError && e.code === 'invalid_name',
        name,
      );
    }
  });
});

describe('bank registry', () => {
  it('matches across enabled banks only, nearest first', () => {
    const registry = new BankRegistry();
    registry.create('a').add({ kind: 'pdq', hash: near(PDQ, 10) });
    registry.create('b').add({ kind: 'pdq', hash: near(PDQ, 4, 2) });
    registry.create('c').add({ kind: 'pdq', hash: PDQ });
    registry.setEnabled('c', false);
    assert.deepEqual(
      registry.matchPdq(hexToHash(PDQ)).map((m) => [m.bank, m.distance]),
      [
        ['b', 4],
        ['a', 10],
      ],
    );
    assert.deepEqual(
      registry.matchPdq(hexToHash(PDQ), { banks: ['a'] }).map((m) => m.bank),
      ['a'],
    );
    assert.throws(() => registry.matchPdq(hexToHash(PDQ), { banks: ['c'] }), /disabled/);
    assert.throws(() => registry.matchPdq(hexToHash(PDQ), { banks: ['nope'] }), /no bank named "nope"/);
    assert.throws(() => registry.create('a'), /already exists/);
    assert.deepEqual(
      registry.list().map((b) => [b.name, b.enabled, b.counts.pdq]),
      [
        ['a', true, 1],
        ['b', true, 1],
        ['c', false, 1],
      ],
    );
  });
});

const dirs: string[] = [];
after(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'lifeguard-pdq-'));
  dirs.push(d);
  return d;
}

for (const [label, makeStore] of [
  ['memory store', async (): Promise<HashBankStore> => new MemoryBankStore()],
  ['JSON-lines file store', async (): Promise<HashBankStore> => new FileBankStore(join(await tempDir(), 'banks'))],
] as const) {
  describe(label, () => {
    it('persists banks, entries, removals and the enabled flag', async () => {
      const store = await makeStore();
      await store.createBank('list1');
      await store.createBank('list2');
      await assert.rejects(store.createBank('list1'), /already exists/);
      await store.addEntries('list1', [
        { kind: 'pdq', hash: PDQ, meta: 'case 1' },
        { kind: 'md5', hash: MD5 },
        { kind: 'sha256', hash: SHA, meta: 'x' },
      ]);
      await store.removeEntries('list1', [{ kind: 'md5', hash: MD5 }]);
      await store.setEnabled('list2', false);
      const registry = await loadRegistry(store);
      assert.deepEqual(
        registry.list().map((b) => [b.name, b.enabled, b.counts]),
        [
          ['list1', true, { pdq: 1, md5: 0, sha256: 1 }],
          ['list2', false, { pdq: 0, md5: 0, sha256: 0 }],
        ],
      );
      assert.equal(registry.matchPdq(hexToHash(PDQ))[0]?.meta, 'case 1');
      assert.equal(registry.matchExact('sha256', SHA)[0]?.meta, 'x');
      assert.equal(await store.deleteBank('list2'), true);
      assert.equal(await store.deleteBank('list2'), false);
      assert.deepEqual(
        (await store.listBanks()).map((b) => b.name),
        ['list1'],
      );
      await assert.rejects(store.addEntries('list2', []), /no bank named "list2"/);
      await assert.rejects(loadRegistry(store, ['list2']), /no bank named "list2"/);
    });
  });
}

describe('JSON-lines file store on damaged files', () => {
  it('ignores a torn last line (interrupted write) with a warning and keeps every complete line', async () => {
    const dir = join(await tempDir(), 'banks');
    const warnings: string[] = [];
    const store = new FileBankStore(dir, { onWarning: (m) => warnings.push(m) });
    await store.createBank('b');
    await store.addEntries('b', [{ kind: 'pdq', hash: PDQ }]);
    await appendFile(join(dir, 'b.jsonl'), '{"op":"add","kind":"md5","ha');
    const registry = await loadRegistry(store);
    assert.deepEqual(registry.require('b').counts, { pdq: 1, md5: 0, sha256: 0 });
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /b\.jsonl:2: .*incomplete last line/);
    // The next append first cuts the torn line off, so the log stays readable.
    await store.addEntries('b', [{ kind: 'md5', hash: MD5 }]);
    assert.deepEqual((await loadRegistry(store)).require('b').counts, { pdq: 1, md5: 1, sha256: 0 });
  });

  it('reports a corrupt line in the middle with file and line number', async () => {
    const dir = join(await tempDir(), 'banks');
    const store = new FileBankStore(dir);
    await store.createBank('b');
    await writeFile(
      join(dir, 'b.jsonl'),
      `{"op":"add","kind":"pdq","hash":"${PDQ}"}\n{"op":"add","kind":"pdq","hash":"12"}\n`,
    );
    await assert.rejects(loadRegistry(store), /b\.jsonl:2: not a valid pdq hash/);
    await writeFile(join(dir, 'b.jsonl'), `garbage\n{"op":"add","kind":"pdq","hash":"${PDQ}"}\n`);
    await assert.rejects(loadRegistry(store), /b\.jsonl:1: not valid JSON/);
  });

  it('reports an unreadable manifest instead of treating it as empty', async () => {
    const dir = join(await tempDir(), 'banks');
    const store = new FileBankStore(dir);
    await store.createBank('b');
    await writeFile(join(dir, 'banks.json'), '{"version":1,"banks":{"../x":{}}}');
    await assert.rejects(store.listBanks(), /not a bank manifest/);
    await writeFile(join(dir, 'banks.json'), '{oops');
    await assert.rejects(store.listBanks(), /banks\.json: not valid JSON/);
  });

  it('compacts a bank log to its current contents', async () => {
    const dir = join(await tempDir(), 'banks');
    const store = new FileBankStore(dir);
    await store.createBank('b');
    await store.addEntries('b', [
      { kind: 'pdq', hash: PDQ, meta: 'keep' },
      { kind: 'md5', hash: MD5 },
    ]);
    await store.removeEntries('b', [{ kind: 'md5', hash: MD5 }]);
    const before = await loadRegistry(store);
    await store.compact('b', before.require('b').entries());
    const text = await readFile(join(dir, 'b.jsonl'), 'utf8');
    assert.equal(text.trim().split('\n').length, 1);
    const after = await loadRegistry(store);
    assert.equal(after.matchPdq(hexToHash(PDQ))[0]?.meta, 'keep');
    assert.equal(after.require('b').counts.md5, 0);
  });
});
