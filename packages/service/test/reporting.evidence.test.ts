// Evidence preservation: frozen packages verify, and `verify` names each kind of tampering.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL } from '@lifeguard/core';
import { SqliteStorage } from '@lifeguard/storage';
import { EvidenceVault } from '../src/reporting/evidenceVault.ts';
import { EvidenceSigner } from '../src/reporting/signingKey.ts';
import { canonicalJson, sha256Hex } from '../src/reporting/evidencePackage.ts';
import { openCase } from './reportingFixtures.ts';

/** The parts of a frozen evidence package these tests read. */
interface FrozenPackage {
  caseId: string;
  evidence: { conversations: Record<string, { messages: unknown[] }> };
  engine: { model: { id: unknown }; wording: { id: unknown; trainedOn: { writers: string[] } | null } };
}

describe('evidence preservation and verify', () => {
  let dir = '';
  let storage: SqliteStorage;
  let vault: EvidenceVault;
  const signer = EvidenceSigner.generate();
  const tenant = 'acme';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'lifeguard-evidence-'));
    // Inline writes: the test edits the file behind the store's back, as an intruder with database access would.
    storage = new SqliteStorage({ path: join(dir, 'db.sqlite'), writer: 'inline' });
    await storage.migrate();
    await storage.createTenant(tenant, 'Acme');
    vault = new EvidenceVault(storage, signer, { software: 'lifeguard test', model: DEFAULT_MODEL });
  });
  after(async () => {
    await storage.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A case with one frozen package, and a clean verify to start from. */
  async function frozenCase() {
    const c = await openCase(storage, tenant);
    const pkg = await vault.freeze(tenant, c.id, 'case opened', { system: 'lifeguard' });
    return { c, pkg };
  }

  it('freezes a case as canonical JSON whose digest, signature and audit entry all verify', async () => {
    const { c, pkg } = await frozenCase();
    assert.equal(sha256Hex(pkg.package!), pkg.digest, 'the digest is the SHA-256 of the stored text');
    const content = JSON.parse(pkg.package!) as FrozenPackage;
    assert.equal(canonicalJson(content), pkg.package, 'stored in canonical form');
    assert.equal(content.caseId, c.id);
    assert.equal(
      content.evidence.conversations[c.conversationIds[0]!]?.messages.length,
      3,
      'the messages are in the package',
    );
    assert.equal(typeof content.engine.model.id, 'string', 'the model that scored the case is named');
    assert.match(
      String(content.engine.wording.id),
      /^[0-9a-f]{16}$/,
      'so is the wording model, by the hash of its terms',
    );
    assert.ok((content.engine.wording.trainedOn?.writers.length ?? 0) > 0, 'with the writers it was trained on');
    assert.equal(
      signer.check(pkg.keyId, tenant, c.id, pkg.digest, pkg.signature),
      'ok',
      'signed with the deployment key',
    );
    const result = await vault.verify(tenant);
    assert.equal(result.ok, true, `a clean store verifies (problems: ${JSON.stringify(result.problems)})`);
    assert.ok(result.packages >= 1, 'the package was checked');
  });

  it('detects an edit to a stored evidence package', async () => {
    const { c } = await frozenCase();
    storage.db
      .prepare("UPDATE evidence_packages SET package = replace(package, 'how old are you?', 'hello') WHERE case_id = ?")
      .run(c.id);
    const result = await vault.verify(tenant, c.id);
    assert.equal(result.ok, false, 'an edit fails verification');
    assert.deepEqual(
      result.problems.map((p) => p.kind),
      ['package_edited'],
      'named as an edit',
    );
  });

  it('detects an edit that also rewrote the digest, as a signature mismatch and a digest the audit log never recorded', async () => {
    const d2 = await freshStore();
    const { c } = await d2.frozen();
    const edited = d2.storage.db.prepare('SELECT package FROM evidence_packages WHERE case_id = ?').get(c.id) as {
      package: string;
    };
    const text = edited.package.replace('how old are you?', 'hello');
    d2.storage.db
      .prepare('UPDATE evidence_packages SET package = ?, digest = ? WHERE case_id = ?')
      .run(text, sha256Hex(text), c.id);
    const kinds = (await d2.vault.verify(tenant)).problems.map((p) => p.kind).sort();
    assert.deepEqual(
      kinds,
      ['package_swapped', 'signature_mismatch'],
      'the signature and the audit entry both give it away',
    );
    await d2.close();
  });

  it('detects a package swapped in from another case', async () => {
    const d2 = await freshStore();
    const a = await d2.frozen();
    const b = await d2.frozen();
    const other = d2.storage.db
      .prepare('SELECT package, digest, signature FROM evidence_packages WHERE case_id = ?')
      .get(b.c.id) as Record<string, string>;
    d2.storage.db
      .prepare('UPDATE evidence_packages SET package = ?, digest = ?, signature = ? WHERE case_id = ?')
      .run(other.package, other.digest, other.signature, a.c.id);
    const result = await d2.vault.verify(tenant);
    assert.equal(result.ok, false, 'a swap fails verification');
    const kinds = new Set(result.problems.filter((p) => p.caseId === a.c.id).map((p) => p.kind));
    assert.ok(kinds.has('package_swapped'), `named as a swap (got ${[...kinds].join(', ')})`);
    assert.ok(kinds.has('signature_mismatch'), 'the signature binds a package to its case');
    await d2.close();
  });

  it('detects a deleted package and a deleted audit row', async () => {
    const d2 = await freshStore();
    const a = await d2.frozen();
    await d2.frozen();
    d2.storage.db.prepare('DELETE FROM evidence_packages WHERE case_id = ?').run(a.c.id);
    let result = await d2.vault.verify(tenant);
    assert.deepEqual(
      result.problems.map((p) => [p.kind, p.caseId]),
      [['package_missing', a.c.id]],
      'the audit log still names the deleted package',
    );

    // The audit log refuses deletes; an intruder drops the trigger first.
    d2.storage.db.exec('DROP TRIGGER audit_log_no_delete');
    d2.storage.db.prepare('DELETE FROM audit_log WHERE tenant_id = ? AND seq = 1').run(tenant);
    result = await d2.vault.verify(tenant);
    assert.ok(
      result.problems.some((p) => p.kind === 'audit_gap' && p.seq === 1),
      `the gap at entry 1 is reported (got ${JSON.stringify(result.problems)})`,
    );
    await d2.close();
  });

  it('detects an edited audit row and a signature made with a key the deployment does not list', async () => {
    const d2 = await freshStore();
    const a = await d2.frozen();
    d2.storage.db.exec('DROP TRIGGER audit_log_no_update');
    d2.storage.db
      .prepare(
        "UPDATE audit_log SET details = replace(details, 'case opened', 'nothing here') WHERE tenant_id = ? AND seq = ?",
      )
      .run(tenant, a.pkg.auditSeq);
    const stranger = EvidenceSigner.generate();
    d2.storage.db
      .prepare('UPDATE evidence_packages SET key_id = ?, signature = ? WHERE case_id = ?')
      .run(stranger.keyId, stranger.sign(tenant, a.c.id, a.pkg.digest), a.c.id);
    const kinds = (await d2.vault.verify(tenant)).problems.map((p) => p.kind).sort();
    assert.deepEqual(kinds, ['audit_edited', 'unknown_key'], 'both named');
    await d2.close();
  });

  it('exports one case with its packages, public key, holds and audit trail, and audits the export', async () => {
    const d2 = await freshStore();
    const a = await d2.frozen();
    await d2.vault.hold(tenant, a.c.id, 'law-enforcement preservation request', {
      id: 'spec-1',
      name: 'Sam',
      role: 'specialist',
    });
    const out = await d2.vault.exportCase(tenant, a.c.id, { id: 'spec-1', name: 'Sam', role: 'specialist' });
    assert.equal(out.verification.ok, true, 'the export carries its own clean verification');
    assert.equal(out.packages.length, 1);
    assert.ok(
      out.publicKeys[out.packages[0]!.keyId]?.includes('BEGIN PUBLIC KEY'),
      'the public key to check the signature is included',
    );
    assert.equal(out.holds.length, 1);
    const last = (await d2.storage.listAudit(tenant, { caseId: a.c.id, limit: 1 }))[0]!;
    assert.equal(last.action, 'evidence.export', 'the export itself is in the audit log');
    await assert.rejects(
      d2.vault.exportCase(tenant, 'case_unknown', { system: 'test' }),
      /no preserved evidence/,
      'an unknown case is refused',
    );
    await d2.close();
  });

  /** A store of its own, for tests that break things. */
  async function freshStore() {
    const d = mkdtempSync(join(tmpdir(), 'lifeguard-evidence-'));
    const s = new SqliteStorage({ path: join(d, 'db.sqlite'), writer: 'inline' });
    await s.migrate();
    await s.createTenant(tenant, 'Acme');
    const v = new EvidenceVault(s, signer, { software: 'lifeguard test', model: DEFAULT_MODEL });
    return {
      storage: s,
      vault: v,
      async frozen() {
        const c = await openCase(s, tenant, `adult-${Math.random().toString(36).slice(2, 8)}`);
        return { c, pkg: await v.freeze(tenant, c.id, 'case opened', { system: 'lifeguard' }) };
      },
      async close() {
        await s.close();
        rmSync(d, { recursive: true, force: true });
      },
    };
  }
});
