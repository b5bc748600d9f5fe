// `lifeguard staff add` as an operator runs it to bootstrap the first admin.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SqliteStorage } from '@lifeguard/storage';
import { verifyPassword } from '../src/console/passwords.ts';

const BIN = fileURLToPath(new URL('../bin/lifeguard-service.ts', import.meta.url));

function run(args: string[], stdin: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('lifeguard staff add', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-staff-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const database = join(dir, 'staff.db');

  it('creates the first admin of a new tenant with the password from stdin, hashed', async () => {
    const result = await run(
      ['staff', 'add', '--tenant', 'acme', '--email', 'Boss@Acme.example', '--name', 'Boss', '--database', database],
      'a long enough password\n',
    );
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout.trim(), /^staff_/);
    assert.ok(
      !result.stdout.includes('a long enough password') && !result.stderr.includes('a long enough password'),
      'the password is not printed',
    );
    const storage = new SqliteStorage({ path: database, writer: 'inline' });
    try {
      const creds = await storage.staffCredentials('acme', 'boss@acme.example');
      assert.equal(creds?.role, 'admin');
      assert.equal(creds?.tenantId, 'acme');
      assert.equal(await verifyPassword('a long enough password', creds!.passwordHash), true);
      assert.deepEqual((await storage.listAudit('acme', { action: 'staff.create', limit: 5 }))[0]?.actor, {
        system: 'cli',
      });
    } finally {
      await storage.close();
    }
  });

  it('refuses a short password, a taken email and an unknown role, saying why', async () => {
    const short = await run(
      ['staff', 'add', '--tenant', 'acme', '--email', 'x@acme.example', '--name', 'X', '--database', database],
      'short\n',
    );
    assert.equal(short.code, 2);
    assert.match(short.stderr, /at least 12 characters/);
    const taken = await run(
      ['staff', 'add', '--tenant', 'acme', '--email', 'boss@acme.example', '--name', 'Again', '--database', database],
      'another long password\n',
    );
    assert.equal(taken.code, 2);
    assert.match(taken.stderr, /this tenant already has a staff account with email boss@acme.example/);
    const role = await run(
      [
        'staff',
        'add',
        '--tenant',
        'acme',
        '--email',
        'y@acme.example',
        '--name',
        'Y',
        '--role',
        'owner',
        '--database',
        database,
      ],
      'another long password\n',
    );
    assert.equal(role.code, 2);
    assert.match(role.stderr, /--role must be one of moderator, specialist, admin/);
  });
});
