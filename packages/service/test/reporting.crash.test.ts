// The service dies between submit and finish (SIGKILL, no chance to clean up): after a restart the
// report finishes exactly once, from where the dead process left it.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openTestSqlite } from '@lifeguard/storage/testing';
import type { StaffUser, Storage } from '@lifeguard/storage';
import { Reporting } from '../src/reporting/reporting.ts';
import { LocalNcmec } from './ncmecServer.ts';
import { draftFor, openCase, reportingConfig, specialistUser } from './reportingFixtures.ts';

const quiet = { error() {}, info() {}, warn() {} };
const CHILD = new URL('./fixtures/reportWorkerChild.ts', import.meta.url).pathname;

describe('a crash between submit and finish', () => {
  let store: Awaited<ReturnType<typeof openTestSqlite>>;
  let storage: Storage;
  let server: LocalNcmec;
  let user: StaffUser;
  const tenant = 'acme';

  before(async () => {
    store = await openTestSqlite();
    storage = store.storage;
    await storage.createTenant(tenant, 'Acme');
    user = await specialistUser(storage, tenant);
    server = new LocalNcmec();
    await server.start();
  });
  after(async () => {
    await server.stop();
    await store.cleanup();
  });

  /** Prepares a report here, lets a separate worker process start filing it, and kills that process when NCMEC receives `at`. */
  async function killedAt(at: '/upload' | '/finish') {
    const reporting = new Reporting(storage, reportingConfig(server.url), { software: 'lifeguard test' }, quiet);
    const c = await openCase(storage, tenant, `adult-${at.slice(1)}`);
    const file = {
      fileName: 'f.bin',
      contentBase64: Buffer.from('neutral bytes').toString('base64'),
      fileViewedByEsp: true,
      publiclyAvailable: false,
    };
    const { reports } = await reporting.prepare(
      tenant,
      c.id,
      { ...draftFor(c), reportedUser: { userId: c.accusedId }, files: [file] },
      user,
    );
    const now = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
      env: { ...process.env, LG_DB: store.path, LG_NCMEC_URL: server.url, LG_NOW: String(now) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr.on('data', (d: Buffer) => (output += d.toString()));
    // NCMEC gets the request and acts on it; the service dies before the answer reaches it.
    server.fail(at, { kind: 'before_answer', run: () => child.kill('SIGKILL') });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) =>
      child.on('exit', (_code, sig) => resolve(sig)),
    );
    assert.equal(signal, 'SIGKILL', `the worker process was killed mid-filing (output: ${output})`);
    assert.doesNotMatch(output, /done/, 'it did not finish its run');
    return { reporting, report: reports[0]!, now };
  }

  it('killed when NCMEC took the upload: the restarted worker uploads and finishes, submitting nothing again', async () => {
    const { reporting, report, now } = await killedAt('/upload');
    const before = (await storage.getAuthorityReport(tenant, report.id))!;
    assert.equal(before.status, 'in_progress', 'the dead process had stored the NCMEC report id');
    assert.equal(server.calls['/submit'], 1);
    // Restart: a fresh worker, after the dead one's lease ran out.
    await reporting.worker.runDue(now + 61_000);
    const after = (await storage.getAuthorityReport(tenant, report.id))!;
    assert.equal(after.status, 'filed', `filed after the restart (last error: ${after.lastError})`);
    assert.equal(after.externalId, before.externalId, 'the same NCMEC report');
    assert.equal(server.calls['/submit'], 1, 'never submitted twice');
    assert.equal(server.finishedCount(), 1, 'finished exactly once');
  });

  it('killed when NCMEC took the finish: the restarted worker hears "already finished" and records the filing once', async () => {
    const { reporting, report, now } = await killedAt('/finish');
    const before = (await storage.getAuthorityReport(tenant, report.id))!;
    assert.equal(before.status, 'in_progress', 'the dead process never learnt that NCMEC finished it');
    await reporting.worker.runDue(now + 61_000);
    const after = (await storage.getAuthorityReport(tenant, report.id))!;
    assert.equal(after.status, 'filed');
    assert.equal(server.calls['/submit'], 2, 'one submit per report across both tests');
    assert.equal(server.finishedCount(), 2, 'each report finished exactly once');
    assert.equal((await storage.legalHolds(tenant, report.caseId)).length, 1, 'one hold, not two');
    await reporting.worker.runDue(now + 3_600_000);
    assert.equal(
      server.calls['/finish'],
      3,
      'nothing more was sent once filed (one finish for the first report, the killed one and its retry for this one)',
    );
  });
});
