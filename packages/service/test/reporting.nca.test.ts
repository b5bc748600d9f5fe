// NCA reports: the Schedule 1 information, the priorities and their clocks, the portal export, the
// reference kept for 5 years, and the s.70(5) de-duplication with NCMEC.
import { after, afterEach, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestSqlite } from '@lifeguard/storage/testing';
import type { CaseRecord, StaffUser, Storage } from '@lifeguard/storage';
import { Reporting } from '../src/reporting/reporting.ts';
import type { ReportingConfig } from '../src/reporting/config.ts';
import type { ApiError } from '../src/http/errors.ts';
import { LocalNcmec } from './ncmecServer.ts';
import { JsonIntake } from './jsonIntake.ts';
import { draftFor, openCase, reportingConfig, specialistUser, T0 } from './reportingFixtures.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const quiet = { error() {}, info() {}, warn() {} };

describe('NCA reports', () => {
  let store: Awaited<ReturnType<typeof openTestSqlite>>;
  let storage: Storage;
  let server: LocalNcmec;
  let dir = '';
  let tenant = '';
  let n = 0;
  let user: StaffUser;
  let c: CaseRecord;

  before(async () => {
    store = await openTestSqlite();
    storage = store.storage;
    server = new LocalNcmec();
    await server.start();
  });
  after(async () => {
    await server.stop();
    await store.cleanup();
  });
  beforeEach(async () => {
    tenant = (await storage.createTenant(`nca${++n}`, `Tenant ${n}`)).id;
    user = await specialistUser(storage, tenant);
    c = await openCase(storage, tenant, `adult-${n}`);
    dir = mkdtempSync(join(tmpdir(), 'lifeguard-nca-'));
  });
  afterEach(async () => {
    rmSync(dir, { recursive: true, force: true });
    // The worker sends every tenant's due reports: what a test left queued must not reach the next test's transport.
    for (const r of await storage.listAuthorityReports(tenant, { limit: 100 }))
      if (r.status === 'queued' || r.status === 'in_progress')
        await storage.updateAuthorityReport(tenant, r.id, {
          patch: { status: 'retracted', nextAttemptAt: null, updatedAt: Date.now() },
        });
  });

  const config = (extra: Partial<ReportingConfig> = {}): ReportingConfig => ({
    ...reportingConfig(server.url),
    platformCountries: ['GB'],
    nca: {
      registrationId: 'NCA-REG-0001',
      organisation: 'Acme Social Ltd',
      contactName: 'Trust and Safety',
      contactEmail: 'safety@acme.example',
      serviceName: 'Acme Chat',
      serviceUrl: 'https://acme.example',
      transport: { kind: 'portal-export', dir },
    },
    ...extra,
  });
  const draft = (over: Record<string, unknown> = {}) => ({
    ...draftFor(c),
    reportedUser: {
      ...draftFor(c).reportedUser,
      userId: c.accusedId,
      phones: ['+44 20 7946 0000'],
      billing: 'card ending 0000',
    },
    jurisdictions: undefined,
    ...over,
  });

  it("starts each priority's clock: 1 at once, 2 within a day, 3 within three days (configurable)", async () => {
    const reporting = new Reporting(storage, config(), { software: 'test' }, quiet);
    for (const priority of [1, 2, 3] as const) {
      const cc = await openCase(storage, tenant, `adult-p${priority}`);
      const { reports } = await reporting.prepare(
        tenant,
        cc.id,
        { ...draftFor(cc), reportedUser: { userId: cc.accusedId }, jurisdictions: ['GB'], priority },
        user,
      );
      const r = reports[0]!;
      assert.equal(r.authority, 'nca');
      assert.equal(
        r.dueAt - r.createdAt,
        { 1: 0, 2: 24 * HOUR, 3: 72 * HOUR }[priority],
        `priority ${priority}'s clock`,
      );
    }
    const custom = new Reporting(
      storage,
      config({ priorityTargetHours: { 1: 0, 2: 4, 3: 12 } }),
      { software: 'test' },
      quiet,
    );
    const { reports } = await custom.prepare(tenant, c.id, { ...draft(), jurisdictions: ['GB'], priority: 3 }, user);
    assert.equal(reports[0]!.dueAt - reports[0]!.createdAt, 12 * HOUR, 'a platform may set shorter targets');
  });

  it("puts priority 1 at the front of the worker's queue, ahead of reports waiting longer", async () => {
    const reporting = new Reporting(storage, config(), { software: 'test' }, quiet);
    // Prepared at T0 (months before the other tests' reports), so only these two are due when claimed.
    const older = await openCase(storage, tenant, `adult-q3-${n}`);
    await reporting.prepare(
      tenant,
      older.id,
      { ...draftFor(older), reportedUser: { userId: older.accusedId }, jurisdictions: ['GB'], priority: 3 },
      user,
      T0,
    );
    const urgent = await openCase(storage, tenant, `adult-q1-${n}`);
    await reporting.prepare(
      tenant,
      urgent.id,
      { ...draftFor(urgent), reportedUser: { userId: urgent.accusedId }, jurisdictions: ['GB'], priority: 1 },
      user,
      T0 + 60_000,
    );
    const [first] = await storage.claimDueAuthorityReports(T0 + 120_000, 1, 60_000);
    assert.equal(first?.caseId, urgent.id, 'the priority 1 report is claimed first');
    const [second] = await storage.claimDueAuthorityReports(T0 + 120_000, 1, 60_000);
    assert.equal(second?.caseId, older.id, 'then the priority 3 one');
  });

  it("exports the Schedule 1 information for the portal, then files it when the specialist enters the NCA's reference", async () => {
    const reporting = new Reporting(storage, config(), { software: 'test' }, quiet);
    const { reports, jurisdictions } = await reporting.prepare(
      tenant,
      c.id,
      { ...draft(), jurisdictions: ['GB'] },
      user,
    );
    assert.deepEqual(jurisdictions, ['GB']);
    await reporting.worker.runDue();
    const exported = (await storage.getAuthorityReport(tenant, reports[0]!.id))!;
    assert.equal(exported.status, 'exported');
    const file = exported.progress.exportedTo as string;
    assert.equal(statSync(file).mode & 0o777, 0o600, 'readable by the service only');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    assert.equal(doc.reporter.registrationId, 'NCA-REG-0001', 'the registration');
    assert.equal(doc.service.name, 'Acme Chat');
    assert.deepEqual(doc.user.loginIps, ['203.0.113.7'], 'login IPs');
    assert.deepEqual(doc.user.phones, ['+44 20 7946 0000']);
    assert.equal(doc.user.billing, 'card ending 0000');
    assert.ok(
      doc.content.items.some((i: { text: string | null }) => i.text === 'how old are you?'),
      'the chosen content',
    );
    assert.deepEqual(
      doc.content.items.find((i: { text: string | null }) => i.text?.startsWith('keep this between us'))?.flagged,
      [{ signal: 'secrecy', start: 0, end: 20 }],
      'with the span the detector flagged in it',
    );
    assert.equal(
      doc.content.items.filter((i: { kind: string }) => i.kind === 'md5').length,
      1,
      'the chosen media by hash',
    );
    assert.match(doc.content.howDetected, /detector opened the case/, 'how it was detected');
    assert.match(doc.declaration.text, /reviewed this case myself/, 'the declaration');
    assert.equal(doc.declaration.by, 'Sam Specialist');

    await assert.rejects(
      reporting.enterReference(tenant, `${reports[0]!.id.replace(/.$/, '0')}x`, 'NCA/1', user),
      /no report/,
      'an unknown report is refused',
    );
    const filed = await reporting.enterReference(tenant, exported.id, 'NCA/2026/000042', user);
    assert.equal(filed.status, 'filed');
    assert.equal(filed.externalId, 'NCA/2026/000042');
    await assert.rejects(
      reporting.enterReference(tenant, exported.id, 'NCA/2026/000043', user),
      /a reference is entered for an exported NCA report/,
      'only once',
    );
    assert.ok(
      Math.abs(filed.keepReferenceUntil! - (filed.filedAt! + 5 * 365 * DAY)) < 1000,
      'the reference is kept for 5 years',
    );
    assert.equal((await storage.legalHolds(tenant, c.id)).length, 1, 'the content held for a year');
  });

  it('sends the Schedule 1 report to an API endpoint when one is configured: retried on a server error, filed with the answer’s reference', async () => {
    // The intake checks what an NCA API adapter would need before taking a report.
    const api = new JsonIntake((json) => {
      const d = json as { format?: string; reporter?: { registrationId?: string }; declaration?: { by?: string } };
      if (d.format !== 'lifeguard-nca-report/1') return { error: 'format: not a lifeguard-nca-report/1' };
      if (!d.reporter?.registrationId) return { error: 'reporter.registrationId: required' };
      if (!d.declaration?.by) return { error: 'declaration.by: required' };
      return { prefix: 'NCA' };
    });
    await api.start();
    try {
      const base = config();
      const reporting = new Reporting(
        storage,
        config({ nca: { ...base.nca!, transport: { kind: 'https', url: `${api.url}/reports`, token: api.token } } }),
        { software: 'test' },
        quiet,
      );
      await reporting.prepare(tenant, c.id, { ...draft(), jurisdictions: ['GB'], priority: 1 }, user);
      api.failNext(503);
      await reporting.worker.runDue();
      let [r] = await storage.listAuthorityReports(tenant, { caseId: c.id, authority: 'nca', limit: 5 });
      assert.equal(r!.status, 'queued', 'retried after a 503');
      assert.match(r!.lastError ?? '', /HTTP 503/);
      await reporting.worker.runDue(Date.now() + 10 * 60_000);
      [r] = await storage.listAuthorityReports(tenant, { caseId: c.id, authority: 'nca', limit: 5 });
      assert.equal(r!.status, 'filed', `filed (${r!.lastError})`);
      assert.match(r!.externalId ?? '', /^NCA-2026-\d{6}$/, 'the reference the API answered');
      assert.equal(api.received.size, 1, 'one report at the API');
      assert.ok(r!.keepReferenceUntil! >= r!.filedAt! + 5 * 365 * DAY - 1000, 'the reference is kept 5 years');
      assert.equal((await storage.legalHolds(tenant, c.id)).length, 1, 'and the case held');
    } finally {
      await api.stop();
    }
  });

  it('records the NCA report as covered when NCMEC gets the same case (s.70(5)), but sends priority 1 to both', async () => {
    const reporting = new Reporting(storage, config({ platformCountries: ['US'] }), { software: 'test' }, quiet);
    const { reports, jurisdictions } = await reporting.prepare(tenant, c.id, draft(), user);
    assert.deepEqual(jurisdictions, ['GB', 'US'], "the platform's country and the child's");
    assert.deepEqual(
      reports.map((r) => [r.authority, r.status]),
      [
        ['ncmec', 'queued'],
        ['nca', 'covered'],
      ],
    );
    const urgent = await openCase(storage, tenant, 'adult-urgent');
    const { reports: both } = await reporting.prepare(
      tenant,
      urgent.id,
      { ...draftFor(urgent), reportedUser: { userId: urgent.accusedId }, jurisdictions: undefined, priority: 1 },
      user,
    );
    assert.deepEqual(
      both.map((r) => [r.authority, r.status]),
      [
        ['ncmec', 'queued'],
        ['nca', 'queued'],
      ],
      'an immediate threat goes to UK police too',
    );
    assert.ok(
      both.every((r) => r.dueAt === r.createdAt),
      'at once',
    );
  });

  it('links an earlier NCA reference on the same person, and refuses NCA reports without a registration', async () => {
    const reporting = new Reporting(storage, config(), { software: 'test' }, quiet);
    const { reports } = await reporting.prepare(tenant, c.id, { ...draft(), jurisdictions: ['GB'] }, user);
    await reporting.worker.runDue();
    await reporting.enterReference(tenant, reports[0]!.id, 'NCA/2026/000123', user);
    const again = await openCase(storage, tenant, c.accusedId);
    const { reports: second } = await reporting.prepare(
      tenant,
      again.id,
      { ...draftFor(again), reportedUser: { userId: c.accusedId }, jurisdictions: ['GB'] },
      user,
    );
    assert.deepEqual((second[0]!.body as { earlierNcaReferences: string[] }).earlierNcaReferences, ['NCA/2026/000123']);

    const unregistered = new Reporting(
      storage,
      { ...config(), nca: undefined } as ReportingConfig,
      { software: 'test' },
      quiet,
    );
    const other = await openCase(storage, tenant, 'adult-unregistered');
    await assert.rejects(
      unregistered.prepare(
        tenant,
        other.id,
        { ...draftFor(other), reportedUser: { userId: other.accusedId }, jurisdictions: ['GB'] },
        user,
      ),
      (err: ApiError) => err.statusCode === 409 && err.problems!.some((p) => p.includes('reg 4')),
      'registration is required before the first report',
    );
  });
});
