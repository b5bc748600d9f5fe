// `lifeguard serve`, `keys` and `demo` as a user runs them.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_POLICY, runDemo } from '../src/index.ts';

const BIN = fileURLToPath(new URL('../bin/lifeguard-service.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

/** Runs the CLI; for `serve`, stops it (SIGTERM) once it prints that it listens. */
function run(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', BIN, ...args], {
      cwd: REPO,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => {
      stdout += c.toString();
      if (/listening on http/.test(stdout)) child.kill('SIGTERM');
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('lifeguard serve and keys', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-cli-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses to start with a policy file that has errors, naming the file, line and field', async () => {
    const text = JSON.stringify(DEFAULT_POLICY, null, 2).replace('"childUnder": 18', '"childUnder": "eighteen"');
    const line = text.split('\n').findIndex((l) => l.includes('"eighteen"')) + 1;
    const file = join(dir, 'bad-policy.json');
    writeFileSync(file, text);
    const result = await run(['serve', '--policy', file, '--port', '0', '--database', join(dir, 'never.db')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /refusing to start: invalid policy file/);
    assert.ok(
      result.stderr.includes(
        `${file}:${line}: profiles.uk.childUnder: Invalid input: expected number, received string`,
      ),
      result.stderr,
    );
    assert.equal(result.stdout, '', 'nothing was started');
  });

  it('prints a bootstrap admin key on the first start only, under LIFEGUARD_HOME', async () => {
    const env = { LIFEGUARD_HOME: join(dir, 'home') };
    const first = await run(['serve', '--port', '0', '--log-level', 'error'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /created an admin key for tenant "default"/);
    assert.match(first.stdout, /^\s+lg_[A-Za-z0-9_-]{43}$/m);
    const second = await run(['serve', '--port', '0', '--log-level', 'error'], env);
    assert.doesNotMatch(second.stdout, /created an admin key/);
    assert.match(second.stdout, /listening on http:\/\/127\.0\.0\.1:\d+ \(storage: sqlite/);
  });

  it('creates, lists and revokes keys with scopes, and refuses unknown scopes', async () => {
    const database = join(dir, 'keys.db');
    const created = await run([
      'keys',
      'create',
      '--tenant',
      'acme',
      '--name',
      'ingest bot',
      '--scopes',
      'ingest,decide',
      '--database',
      database,
    ]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout.trim(), /^lg_/);
    const listed = await run(['keys', 'list', '--tenant', 'acme', '--database', database]);
    const [id] = listed.stdout.trim().split('\t');
    assert.match(listed.stdout, /ingest,decide\tactive\tingest bot/);
    assert.ok(!listed.stdout.includes(created.stdout.trim()), 'the key itself is not listed');
    assert.equal((await run(['keys', 'revoke', '--tenant', 'acme', '--id', id!, '--database', database])).code, 0);
    assert.match((await run(['keys', 'list', '--tenant', 'acme', '--database', database])).stdout, /\trevoked\t/);
    const bad = await run([
      'keys',
      'create',
      '--tenant',
      'acme',
      '--scopes',
      'ingest,superuser',
      '--database',
      database,
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /unknown scope "superuser"/);
  });

  it('refuses a --dismissed-case-days or --retention-days outside 1..3650 as a usage error, before opening anything', async () => {
    for (const flag of ['--dismissed-case-days', '--retention-days']) {
      for (const days of ['0', '3651', '7.5']) {
        const result = await run(['serve', '--port', '0', flag, days, '--database', join(dir, 'never-days.db')]);
        assert.equal(result.code, 1, `${flag} ${days}`);
        assert.match(
          result.stderr,
          new RegExp(`${flag} must be a whole number from 1 to 3650 \\(got "${days.replace('.', '\\.')}"\\)`),
        );
        assert.doesNotMatch(result.stderr, /internal error|\n\s+at /, 'a usage error, not a stack trace');
      }
    }
  });

  it('runs retention with the windows given on the command line', async () => {
    const database = join(dir, 'windows.db');
    const key = (
      await run(['keys', 'create', '--tenant', 'acme', '--name', 'ops', '--scopes', 'admin', '--database', database])
    ).stdout.trim();
    assert.match(key, /^lg_/, 'an admin key');
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        BIN,
        'serve',
        '--port',
        '0',
        '--log-level',
        'error',
        '--database',
        database,
        '--retention-days',
        '7',
        '--dismissed-case-days',
        '5',
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /listening on (http:\/\/[^\s]+)/.exec(out);
          if (m) resolve(m[1]!);
        });
        child.on('exit', (code) => reject(new Error(`serve exited with ${code}`)));
      });
      const started = Date.now();
      const res = await fetch(`${url}/v1/maintenance/retention`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}` },
      });
      assert.equal(res.status, 200, await res.clone().text());
      const body = (await res.json()) as { olderThan: number; dismissedCases: { dismissedBefore: number } };
      const days = (t: number) => Math.round((started - t) / 86_400_000);
      assert.equal(days(body.olderThan), 7, 'message text window');
      assert.equal(days(body.dismissedCases.dismissedBefore), 5, 'dismissed-case window');
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('refuses a database it cannot open, without printing a password', async () => {
    const result = await run(['serve', '--port', '0', '--database', 'postgres://lg:s3cret@127.0.0.1:1/nowhere']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot open the database postgres:\/\/lg:\*\*\*@127\.0\.0\.1:1\/nowhere/);
    assert.ok(!result.stderr.includes('s3cret'), 'the password is not printed');
  });
});

describe('lifeguard demo', () => {
  it('plays the scenario over HTTP: blocks the stranger, prompts the child, opens a case and signs the webhook', async () => {
    const lines: string[] = [];
    const summary = await runDemo({ write: (l) => lines.push(l) });
    const text = lines.join('\n');
    assert.ok(summary.caseId, text);
    assert.ok(
      summary.caseOpenedAfter !== null && summary.caseOpenedAfter <= 4,
      `case opened after message ${summary.caseOpenedAfter}`,
    );
    const decision = (step: string) => summary.decisions.find((d) => d.step === step)?.decision;
    assert.equal(decision('stranger direct message'), 'block');
    assert.equal(decision('stranger friend request'), 'allow_with_warning');
    assert.ok(
      summary.decisions.filter((d) => d.step === 'friends chat').every((d) => d.decision === 'allow'),
      'friends chatting are allowed',
    );
    assert.equal(decision('risky sender to another child'), 'block');
    assert.equal(summary.webhookVerified, true);
    assert.match(text, /This person has no friends in common with you/);
    assert.match(text, /Childline 0800 1111/);
  });
});
