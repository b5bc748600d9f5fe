// `lifeguard evidence verify` and `lifeguard evidence export` as an operator runs them on the database host.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_MODEL } from '@lifeguard/core';
import { SqliteStorage } from '@lifeguard/storage';
import { EvidenceVault } from '../src/reporting/evidenceVault.ts';
import { EvidenceSigner, loadOrCreateKeyFile } from '../src/reporting/signingKey.ts';
import { openCase } from './reportingFixtures.ts';

const BIN = fileURLToPath(new URL('../bin/lifeguard-service.ts', import.meta.url));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('lifeguard evidence', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-evidence-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const database = join(dir, 'lg.db');
  const key = join(dir, 'evidence-key.pem');
  const common = ['--tenant', 'acme', '--database', database, '--evidence-key', key];

  it('verifies a clean store (exit 0), exports a case (file 0600), and reports an edited package (exit 1)', async () => {
    const storage = new SqliteStorage({ path: database, writer: 'inline' });
    await storage.migrate();
    await storage.createTenant('acme', 'Acme');
    const vault = new EvidenceVault(storage, new EvidenceSigner(loadOrCreateKeyFile(key)), {
      software: 'test',
      model: DEFAULT_MODEL,
    });
    const c = await openCase(storage, 'acme');
    await vault.freeze('acme', c.id, 'case opened', { system: 'lifeguard' });
    assert.equal(statSync(key).mode & 0o777, 0o600, 'the key file is private');

    let result = await run(['evidence', 'verify', ...common]);
    assert.equal(result.code, 0, `clean store: exit 0 (${result.stdout}${result.stderr})`);
    assert.match(result.stdout, /^ok: 1 evidence packages/);

    const out = join(dir, 'export.json');
    result = await run(['evidence', 'export', c.id, ...common, '--out', out]);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(statSync(out).mode & 0o777, 0o600, 'the export is private');
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(exported.caseId, c.id);
    assert.equal(exported.packages[0].content.caseId, c.id, 'the package content is in the export');

    storage.db.prepare("UPDATE evidence_packages SET package = replace(package, 'i am 12', 'i am 21')").run();
    await storage.close();
    result = await run(['evidence', 'verify', ...common]);
    assert.equal(result.code, 1, 'problems: exit 1');
    assert.match(result.stdout, /PROBLEMS FOUND/);
    assert.match(result.stdout, new RegExp(`package_edited: case ${c.id} package 1`), 'the edited package is named');

    result = await run(['evidence', 'export', 'case_nope', ...common]);
    assert.equal(result.code, 2, 'an unknown case is a usage error');
    assert.match(result.stderr, /case case_nope has no preserved evidence/);
  });
});
