// The NCMEC CyberTipline flow against a local server that follows the published API: the happy path,
// each kind of failure answer, retries with backoff up to 30 days, retraction, and the schema check
// before anything is sent. The crash between submit and finish is in reporting.crash.test.ts.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openTestSqlite } from '@lifeguard/storage/testing';
import type { CaseRecord, StaffUser, Storage } from '@lifeguard/storage';
import { Reporting } from '../src/reporting/reporting.ts';
import { validateCyberTiplineXml } from '../src/reporting/ncmec/schema.ts';
import type { ApiError } from '../src/http/errors.ts';
import { LocalNcmec } from './ncmecServer.ts';
import { draftFor, openCase, reportingConfig, specialistUser } from './reportingFixtures.ts';

const DAY = 86_400_000;
const quiet = { error() {}, info() {}, warn() {} };

describe('NCMEC CyberTipline filing', () => {
  let server: LocalNcmec;
  let store: Awaited<ReturnType<typeof openTestSqlite>>;
  let storage: Storage;
  let reporting: Reporting;
  let user: StaffUser;
  let c: CaseRecord;
  let tenant = '';
  let n = 0;

  before(async () => {
    store = await openTestSqlite();
    storage = store.storage;
  });
  after(async () => {
    await store.cleanup();
  });
  beforeEach(async () => {
    // A tenant per test: the worker sends every due report, and one test's must not reach the next one's server.
    tenant = (await storage.createTenant(`t${++n}`, `Tenant ${n}`)).id;
    user = await specialistUser(storage, tenant);
    server = new LocalNcmec();
    await server.start();
    reporting = new Reporting(storage, reportingConfig(server.url), { software: 'lifeguard test' }, quiet);
    c = await openCase(storage, tenant, `adult-${Math.random().toString(36).slice(2, 8)}`);
  });
  afterEach(async () => {
    await reporting.worker.stop();
    await server.stop();
  });

  const file = {
    fileName: 'upload-1.bin',
    contentBase64: Buffer.from('neutral test bytes, not an image').toString('base64'),
    fileViewedByEsp: true,
    publiclyAvailable: false,
  };
  const prepare = (overrides: Record<string, unknown> = {}) =>
    reporting.prepare(
      tenant,
      c.id,
      { ...draftFor(c), reportedUser: { ...draftFor(c).reportedUser, userId: c.accusedId }, ...overrides },
      user,
    );
  const only = async () => (await storage.listAuthorityReports(tenant, { caseId: c.id, limit: 10 }))[0]!;

  it('files a report: submit, upload, fileinfo and finish once each, then holds the case for a year and freezes the evidence again', async () => {
    const { reports } = await prepare({ files: [file] });
    assert.deepEqual(
      reports.map((r) => [r.authority, r.status]),
      [['ncmec', 'queued']],
      'one NCMEC report queued',
    );
    await reporting.worker.runDue();
    const r = await only();
    assert.equal(r.status, 'filed', `filed (last error: ${r.lastError})`);
    assert.deepEqual(server.calls, { '/submit': 1, '/upload': 1, '/fileinfo': 1, '/finish': 1 }, 'each step once');
    const sent = server.reports.get(r.externalId!)!;
    assert.equal(sent.finished, true, 'NCMEC has it finished');
    assert.match(sent.xml, /<incidentType>Online Enticement of Children for Sexual Acts<\/incidentType>/);
    assert.match(sent.xml, /<espIdentifier>adult-/, 'the reported account is named');
    assert.match(sent.xml, /how old are you\?/, 'the chosen messages are in the report');
    assert.doesNotMatch(sent.xml, /i am 12/, 'a message the specialist did not choose is not');
    assert.match(
      sent.xml,
      /keep this between us and add me on the other app \[flagged: secrecy 0-20\]/,
      'a chosen message carries the span the detector flagged in it',
    );
    assert.match([...sent.files.values()][0]!.info!, /<fileViewedByEsp>true<\/fileViewedByEsp>/, 'file details sent');
    assert.equal(
      (r.body as { files: { contentBase64: string | null }[] }).files[0]!.contentBase64,
      null,
      'the file bytes are let go once filed',
    );
    const holds = await storage.legalHolds(tenant, c.id);
    assert.equal(holds.length, 1, 'a legal hold');
    assert.ok(Math.abs(holds[0]!.until - (r.filedAt! + 365 * DAY)) < 1000, 'for one year from filing');
    const packages = await storage.evidencePackages(tenant, c.id);
    assert.deepEqual(
      packages.map((p) => p.reason.split(' (')[0]),
      ['report prepared', `report ${r.id} filed with NCMEC`],
      'frozen when prepared and again when filed',
    );
    assert.equal((await reporting.vault.verify(tenant, c.id)).ok, true, 'and it verifies');
  });

  it('refuses a report missing a mandatory field, naming it, before anything is stored or sent', async () => {
    const { incidentType: _t, ...draft } = draftFor(c);
    await assert.rejects(reporting.prepare(tenant, c.id, draft, user), (err: ApiError) => {
      assert.equal(err.statusCode, 400);
      assert.ok(
        err.problems?.some((p) => p.startsWith('incidentType:')),
        `incidentType named (got ${err.problems?.join('; ')})`,
      );
      return true;
    });
    await assert.rejects(
      prepare({ incidentDateTime: 'yesterday' }),
      (err: ApiError) => err.problems!.some((p) => p.startsWith('incidentDateTime:')),
      'a bad date is named',
    );
    await assert.rejects(
      prepare({ evidence: { messageIds: ['nope'], mediaIds: [] } }),
      (err: ApiError) => err.problems!.some((p) => p.includes('no message nope')),
      'unknown evidence is named',
    );
    await assert.rejects(
      prepare({ declaration: { accepted: false } }),
      (err: ApiError) => err.problems!.some((p) => p.startsWith('declaration.accepted:')),
      'the declaration must be made',
    );
    assert.deepEqual(server.calls, {}, 'nothing reached NCMEC');
    assert.deepEqual(await storage.listAuthorityReports(tenant, { caseId: c.id, limit: 10 }), [], 'nothing stored');
  });

  it('validates the report XML with the CyberTipline schema, naming the element at fault', async () => {
    const bad =
      '<?xml version="1.0"?><report><incidentSummary><incidentType>Something else</incidentType></incidentSummary><reporter><reportingPerson><email>a@b.c</email></reportingPerson></reporter></report>';
    const result = await validateCyberTiplineXml(bad);
    assert.equal(result.valid, false, 'refused');
    assert.ok(
      result.errors.some((e) => e.includes("'incidentType'")),
      `the incident type is named (got ${result.errors.join(' | ')})`,
    );
    const missing = await validateCyberTiplineXml(bad.replace('Something else', 'Child Sex Trafficking'));
    assert.ok(
      missing.errors.some((e) => e.includes('incidentDateTime')),
      `the missing date/time is named (got ${missing.errors.join(' | ')})`,
    );
  });

  it('retries a server error and a dropped connection with backoff, continuing from the last step that succeeded', async () => {
    await prepare({ files: [file] });
    server.fail('/submit', { kind: 'http500' });
    const t = Date.now();
    await reporting.worker.runDue(t);
    let r = await only();
    assert.equal(r.status, 'queued', 'still queued after a 500');
    assert.match(r.lastError ?? '', /HTTP 500/, 'the failure is kept for the console');
    assert.ok(
      r.nextAttemptAt! >= t + 50_000 && r.nextAttemptAt! <= t + 70_000,
      `first retry about a minute later (got ${r.nextAttemptAt! - t} ms)`,
    );

    server.fail('/upload', { kind: 'drop' });
    await reporting.worker.runDue(t + 70_000);
    r = await only();
    assert.equal(r.status, 'in_progress', 'submitted, upload pending');
    assert.equal(r.attempts, 2);
    assert.ok(r.nextAttemptAt! >= t + 70_000 + 100_000, 'the second retry waits about twice as long');

    server.fail('/finish', { kind: 'code', code: 1000, description: 'Server error' });
    await reporting.worker.runDue(t + 10 * 60_000);
    r = await only();
    assert.match(r.lastError ?? '', /NCMEC finish: 1000 Server error/, "NCMEC's own error is kept");

    await reporting.worker.runDue(t + 60 * 60_000);
    r = await only();
    assert.equal(r.status, 'filed');
    assert.equal(server.calls['/submit'], 2, 'the failed submit and the one that worked; never a third');
    assert.equal(server.finishedCount(), 1, 'finished exactly once');
    assert.equal(server.reports.get(r.externalId!)!.files.size, 1, 'the file was uploaded once');
  });

  it("keeps a refused report out of the retry loop with NCMEC's answer, and files it when a specialist retries", async () => {
    await prepare();
    server.fail('/submit', { kind: 'code', code: 4100, description: 'Validation failed', status: 400 });
    await reporting.worker.runDue();
    let r = await only();
    assert.equal(r.status, 'rejected');
    assert.equal(r.lastError, 'NCMEC submit: 4100 Validation failed', "NCMEC's error for the console");
    assert.equal(r.nextAttemptAt, null, 'not retried by itself');
    await reporting.worker.runDue(Date.now() + DAY);
    assert.equal(server.calls['/submit'], 1, 'no automatic retry');
    await reporting.retry(tenant, r.id, user);
    await reporting.worker.runDue();
    r = await only();
    assert.equal(r.status, 'filed', 'filed after the retry');
    await assert.rejects(
      reporting.retry(tenant, r.id, user),
      /only a rejected or expired report/,
      'a filed report is not retried',
    );
  });

  it('retries a credentials refusal (the operator can fix them) and gives up after 30 days', async () => {
    reporting = new Reporting(
      storage,
      reportingConfig(server.url, {
        ncmec: { environment: 'test', baseUrl: server.url, username: 'lifeguard-test', password: 'wrong' },
      }),
      { software: 'lifeguard test' },
      quiet,
    );
    const { reports } = await prepare();
    const created = reports[0]!.createdAt;
    await reporting.worker.runDue(created);
    let r = await only();
    assert.equal(r.status, 'queued', 'queued for a retry');
    assert.equal(r.lastError, 'NCMEC submit: 2000 Authentication required');
    await reporting.worker.runDue(created + 31 * DAY);
    r = await only();
    assert.equal(r.status, 'expired', 'no more retries after 30 days');
  });

  it('treats "already finished" from NCMEC as finished (a finish whose answer was lost)', async () => {
    await prepare();
    server.fail('/finish', { kind: 'code', code: 5102, description: 'Report already finished', status: 400 });
    await reporting.worker.runDue();
    assert.equal((await only()).status, 'filed');
  });

  it('retracts a report NCMEC has but was not told is finished', async () => {
    await prepare({ files: [file] });
    server.fail('/upload', { kind: 'http500' });
    await reporting.worker.runDue();
    const pending = await only();
    assert.equal(pending.status, 'in_progress');
    const retracted = await reporting.retract(tenant, pending.id, user, 'wrong account chosen');
    assert.equal(retracted.status, 'retracted');
    assert.equal(server.reports.get(pending.externalId!)!.retracted, true, 'NCMEC withdrew it');
    await reporting.worker.runDue(Date.now() + DAY);
    assert.equal(server.finishedCount(), 0, 'never finished afterwards');
    await assert.rejects(
      reporting.retract(tenant, pending.id, user, 'again please'),
      /cannot be retracted/,
      'retracting twice is refused',
    );
  });

  it('refuses a second standing report to the same authority, and links an earlier report on the same person', async () => {
    await prepare();
    await reporting.worker.runDue();
    const first = await only();
    await assert.rejects(prepare(), /already has a NCMEC report/, 'de-duplicated per case');
    const second = await openCase(storage, tenant, c.accusedId);
    await reporting.prepare(
      tenant,
      second.id,
      { ...draftFor(second), reportedUser: { ...draftFor(second).reportedUser, userId: c.accusedId } },
      user,
    );
    await reporting.worker.runDue();
    const [r2] = await storage.listAuthorityReports(tenant, { caseId: second.id, limit: 1 });
    const xml = server.reports.get(r2!.externalId!)!.xml;
    assert.match(
      xml,
      new RegExp(`<priorCTReports>\\s*<reportId>${first.externalId}</reportId>`),
      'the earlier CyberTipline report is linked',
    );
  });

  it('refuses a dismissed case and NCMEC without credentials, before storing anything', async () => {
    const dismissed = await openCase(storage, tenant, 'adult-dismissed', 'kid-1', 'dismissed');
    await assert.rejects(reporting.prepare(tenant, dismissed.id, draftFor(dismissed), user), /was dismissed/);
    const bare = new Reporting(
      storage,
      { platformCountries: ['US'], worker: { intervalMs: 0 } },
      { software: 'lifeguard test' },
      quiet,
    );
    await assert.rejects(
      bare.prepare(tenant, c.id, { ...draftFor(c), reportedUser: { userId: c.accusedId } }, user),
      (err: ApiError) => err.statusCode === 409 && err.problems!.some((p) => p.includes('reporting.ncmec')),
    );
    assert.deepEqual(await storage.listAuthorityReports(tenant, { caseId: c.id, limit: 10 }), []);
  });
});
