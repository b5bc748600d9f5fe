// The SQLite writer thread runs only the calls its typed message union names (src/sqliteWriter.ts).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WRITER_METHODS, WriterThread } from '../src/sqliteWriter.ts';

describe('SQLite writer thread', () => {
  it('runs a write and returns its result, and refuses a method that is not a writer call', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lifeguard-writer-'));
    const writer = new WriterThread(join(dir, 'test.db'), 'normal');
    try {
      await writer.call('migrate', []);
      const tenant = await writer.call('createTenant', ['acme', 'Acme']);
      assert.equal(tenant.id, 'acme', 'createTenant returns the tenant it stored');
      assert.ok(!(WRITER_METHODS as readonly string[]).includes('getTenant'), 'reads are not writer calls');
      // A read forced through the untyped channel: the worker answers with an error, not a result.
      const untyped = writer as unknown as { call(method: string, args: unknown[]): Promise<unknown> };
      await assert.rejects(untyped.call('getTenant', ['acme']), /unknown storage method getTenant/);
    } finally {
      await writer.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
