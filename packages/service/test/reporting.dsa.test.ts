// DSA Art. 18 notifications to the police against a local intake of our own: who receives one (the
// Member States concerned, else the provider's own and Europol), its clock, the record, the frozen
// evidence and the hold, each failure answer, a lost answer that must not notify twice, the export
// path, and that it stands apart from reports to NCMEC and the NCA.
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
import type { ThreatNotification } from '../src/reporting/dsa/notification.ts';
import { computeStatistics } from '../src/reporting/statistics.ts';
import { LocalNcmec } from './ncmecServer.ts';
import { JsonIntake } from './jsonIntake.ts';
import { draftFor, openCase, reportingConfig, specialistUser, T0 } from './reportingFixtures.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const quiet = { error() {}, info() {}, warn() {} };

describe('DSA Art. 18 notifications to the police', () => {
  let store: Awaited<ReturnType<typeof openTestSqlite>>;
  let storage: Storage;
  let police: JsonIntake;
  let ncmec: LocalNcmec;
  let reporting: Reporting;
  let user: StaffUser;
  let c: CaseRecord;
  let tenant = '';
  let n = 0;
  let dir = '';

  const config = (extra: Partial<ReportingConfig> = {}): ReportingConfig => ({
    ...reportingConfig(ncmec.url),
    dsa: {
      provider: {
        name: 'Acme Social Ltd',
        service: 'Acme Chat',
        establishedIn: 'IE',
        contactName: 'Trust and Safety duty desk',
        contactEmail: 'duty@acme.example',
        contactPhone: '+353 1 555 0100',
      },
      recipients: {
        IE: { name: 'An Garda Síochána', transport: { kind: 'https', url: `${police.url}/ie`, token: police.token } },
        DE: { name: 'Bundeskriminalamt', transport: { kind: 'https', url: `${police.url}/de`, token: police.token } },
        EUROPOL: { name: 'Europol', transport: { kind: 'https', url: `${police.url}/europol`, token: police.token } },
        NL: { name: 'Politie', transport: { kind: 'export', dir } },
      },
    },
    ...extra,
  });

  before(async () => {
    store = await openTestSqlite();
    storage = store.storage;
  });
  after(async () => {
    await store.cleanup();
  });
  beforeEach(async () => {
    tenant = (await storage.createTenant(`dsa${++n}`, `Tenant ${n}`)).id;
    user = await specialistUser(storage, tenant);
    police = new JsonIntake();
    await police.start();
    ncmec = new LocalNcmec();
    await ncmec.start();
    dir = mkdtempSync(join(tmpdir(), 'lifeguard-dsa-'));
    reporting = new Reporting(storage, config(), { software: 'lifeguard test' }, quiet);
    c = await openCase(storage, tenant, `adult-${n}`);
  });
  afterEach(async () => {
    await reporting.worker.stop();
    // The worker sends every tenant's due reports: what a test left queued must not reach the next test's intake.
    for (const r of await storage.listAuthorityReports(tenant, { limit: 100 }))
      if (r.status === 'queued' || r.status === 'in_progress')
        await storage.updateAuthorityReport(tenant, r.id, {
          patch: { status: 'retracted', nextAttemptAt: null, updatedAt: Date.now() },
        });
    await police.stop();
    await ncmec.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** A threat a specialist might see: a planned meeting after threats, the child's place given. */
  const threat = (over: Record<string, unknown> = {}, cc: CaseRecord = c) => ({
    threat: {
      to: 'safety',
      offence: 'is_likely_to_take_place',
      imminent: true,
      summary:
        'The adult set a meeting with the 12-year-old for tonight and said he would come to her home if she did not.',
      location: 'a bus stop near the child’s school',
    },
    suspect: { userId: cc.accusedId, screenName: 'friendly_gamer', emails: ['adult1@example.org'] },
    personsAtRisk: [{ userId: 'kid-1' }],
    evidence: { messageIds: [`${cc.conversationIds[0]}-m3`] },
    declaration: { accepted: true },
    ...over,
  });
  const notify = (over: Record<string, unknown> = {}, now?: number) =>
    reporting.threats.notify(tenant, c.id, threat(over), user, now);
  const refusal = async (p: Promise<unknown>) => {
    const err = (await p.then(
      () => null,
      (e: unknown) => e,
    )) as ApiError | null;
    assert.ok(err, 'the notification was refused');
    return Object.assign(err, { problems: err.problems ?? [] });
  };
  const reportsOf = () => storage.listAuthorityReports(tenant, { caseId: c.id, authority: 'police', limit: 10 });

  it("sends an imminent threat at once to the police of the provider's own Member State and Europol when no Member State is known (Art. 18(2))", async () => {
    const t = Date.now();
    const { reports, memberStatesConcerned } = await notify({}, t);
    assert.deepEqual(memberStatesConcerned, [], 'the case has a US adult and a GB child: no Member State concerned');
    assert.deepEqual(
      reports.map((r) => [
        (r.body as ThreatNotification).recipient.target,
        (r.body as ThreatNotification).recipient.basis,
      ]),
      [
        ['IE', 'provider_establishment'],
        ['EUROPOL', 'europol'],
      ],
      'Art. 18(2): the Member State of establishment and Europol',
    );
    for (const r of reports) {
      assert.equal(r.authority, 'police', 'recorded as a police notification, not an NCMEC or NCA report');
      assert.equal(r.priority, 1, 'imminent: priority 1');
      assert.equal(r.dueAt, t, 'imminent: its clock runs out at once');
    }
    await reporting.worker.runDue();
    const filed = await reportsOf();
    assert.deepEqual(
      filed.map((r) => r.status),
      ['filed', 'filed'],
      `both filed (errors: ${filed.map((r) => r.lastError).join('; ')})`,
    );
    assert.deepEqual(
      [...police.received.values()].map((x) => x.path).sort(),
      ['/europol', '/ie'],
      'one notification each, at the recipient configured for it',
    );
    const ie = filed.find((r) => (r.body as ThreatNotification).recipient.target === 'IE')!;
    const got = police.received.get(ie.externalId!)!;
    assert.ok(got, `the police's reference ${ie.externalId} is stored on the record`);
    assert.equal(got.key, ie.id, 'the idempotency key is the notification id');
    assert.equal(got.body.suspicion.summary, threat().threat.summary, 'the specialist’s account is sent');
    assert.deepEqual(
      got.body.content.map((m) => m.text),
      ['keep this between us and add me on the other app'],
      'the chosen message is sent with its text',
    );
    assert.deepEqual(got.body.content[0]!.flagged, [{ signal: 'secrecy', start: 0, end: 20 }], 'and its flagged span');
    assert.equal(got.body.personsAtRisk[0]!.age, 12, 'the age the case knows is filled in');
    assert.equal(got.body.personsAtRisk[0]!.country, 'GB');

    const holds = await storage.legalHolds(tenant, c.id);
    assert.equal(holds.length, 2, 'each filed notification places a hold');
    assert.ok(
      holds.every((h) => h.until >= Date.now() + 364 * DAY),
      'held for a year',
    );
    const packages = await storage.evidencePackages(tenant, c.id);
    assert.equal(packages.length, 3, 'evidence frozen when prepared and again at each filing');
    assert.match(packages[0]!.reason, /^DSA Art\. 18 notification prepared \(IE, EUROPOL\)$/);
    for (const p of packages.slice(1))
      assert.match(p.reason, /filed with the police \((IE|EUROPOL), DSA Art\. 18\)/, `a filing freeze (${p.reason})`);
    assert.equal((await reporting.vault.verify(tenant, c.id)).ok, true, 'the frozen evidence verifies');
    const audit = await storage.listAudit(tenant, { caseId: c.id, action: 'report.prepare', limit: 5 });
    assert.equal(audit.length, 2, 'each notification prepared is audited');
    assert.equal(audit[0]!.details.legalBasis, 'DSA Art. 18');
  });

  it('goes to the Member States concerned: the countries of the suspect and the persons at risk, or the ones the specialist names', async () => {
    const { reports } = await notify({ personsAtRisk: [{ userId: 'kid-1', country: 'DE' }] });
    assert.deepEqual(
      reports.map((r) => (r.body as ThreatNotification).recipient),
      [{ target: 'DE', name: 'Bundeskriminalamt', basis: 'member_state_concerned' }],
      "the person at risk is in Germany: the BKA, not the provider's own police or Europol",
    );
    const c2 = await openCase(storage, tenant, `adult-${n}-b`);
    const named = await reporting.threats.notify(tenant, c2.id, threat({ memberStates: ['IE', 'DE'] }, c2), user);
    assert.deepEqual(
      named.reports.map((r) => (r.body as ThreatNotification).recipient.target),
      ['IE', 'DE'],
      'the Member States the specialist names',
    );
    assert.deepEqual(named.memberStatesConcerned, ['IE', 'DE']);
  });

  it('gives a threat that is not imminent priority 2 and the "promptly" clock of an hour (configurable)', async () => {
    const t = Date.now();
    const { reports } = await notify({ threat: { ...threat().threat, imminent: false } }, t);
    assert.equal(reports[0]!.priority, 2);
    assert.equal(reports[0]!.dueAt, t + 60 * MINUTE, 'an hour by default');
    const tight = new Reporting(
      storage,
      config({ dsa: { ...config().dsa!, targetMinutes: { imminent: 0, other: 15 } } }),
      { software: 'test' },
      quiet,
    );
    const c2 = await openCase(storage, tenant, `adult-${n}-c`);
    const two = await tight.threats.notify(
      tenant,
      c2.id,
      threat({ threat: { ...threat().threat, imminent: false } }, c2),
      user,
      t,
    );
    assert.equal(two.reports[0]!.dueAt, t + 15 * MINUTE, 'the configured target');
  });

  it('refuses a notification missing a field, or naming someone outside the case, before anything is stored or sent', async () => {
    const missing = await refusal(
      notify({
        threat: { to: 'life', offence: 'is_taking_place', summary: 'too short' },
        declaration: { accepted: false },
      }),
    );
    assert.equal(missing.statusCode, 400);
    assert.deepEqual(
      missing.problems.map((p) => p.split(':')[0]).sort(),
      ['declaration.accepted', 'threat.imminent', 'threat.summary'],
      `each field named (${missing.problems.join('; ')})`,
    );
    const outsider = await refusal(
      notify({ personsAtRisk: [{ userId: 'someone-else' }], evidence: { messageIds: ['no-such-message'] } }),
    );
    assert.deepEqual(
      outsider.problems.map((p) => p.split(':')[0]),
      ['personsAtRisk[0].userId', 'evidence.messageIds[0]'],
      outsider.problems.join('; '),
    );
    const nobody = await refusal(notify({ personsAtRisk: [{ age: 12 }] }));
    assert.match(nobody.problems.join(';'), /personsAtRisk\[0\]: name the person by userId or describe them/);
    const notEu = await refusal(notify({ memberStates: ['GB'] }));
    assert.match(notEu.problems.join(';'), /memberStates\[0\]: must be an EU Member State code/);
    const unconfigured = await refusal(notify({ memberStates: ['FR'] }));
    assert.equal(unconfigured.statusCode, 409);
    assert.deepEqual(unconfigured.problems, ['reporting.dsa.recipients.FR: no police recipient is configured for FR']);
    const off = new Reporting(storage, reportingConfig(ncmec.url), { software: 'test' }, quiet);
    const notConfigured = await refusal(off.threats.notify(tenant, c.id, threat(), user));
    assert.equal(notConfigured.statusCode, 409);
    assert.match(notConfigured.problems.join(';'), /^reporting\.dsa:/);
    assert.equal((await reportsOf()).length, 0, 'nothing stored');
    assert.equal(police.requests, 0, 'nothing sent');
  });

  it('retries a server error, a refused token and a dropped connection within 5 minutes, and files once when an answer was lost', async () => {
    // A general backoff of 10 minutes: a threat to life must still be tried again within 5.
    const slow = new Reporting(
      storage,
      config({ worker: { intervalMs: 0, baseBackoffMs: 10 * MINUTE, leaseMs: MINUTE } }),
      { software: 'test' },
      quiet,
    );
    await slow.threats.notify(tenant, c.id, threat({ memberStates: ['DE'] }), user);
    const t = Date.now();
    police.failNext(503);
    await slow.worker.runDue(t);
    let [r] = await reportsOf();
    assert.equal(r!.status, 'queued', 'still queued after a 503');
    assert.match(r!.lastError ?? '', /HTTP 503 .*intake temporarily unavailable/, "the intake's answer is kept");
    assert.ok(
      r!.nextAttemptAt! <= t + 5.5 * MINUTE,
      `retried within 5 minutes, not the general 10 (${(r!.nextAttemptAt! - t) / MINUTE} min)`,
    );

    police.failNext(401, 'drop');
    await slow.worker.runDue(t + 6 * MINUTE);
    [r] = await reportsOf();
    assert.match(
      r!.lastError ?? '',
      /HTTP 401 .*bad or missing token/,
      'a refused token is retried (the operator can fix it)',
    );
    await slow.worker.runDue(t + 12 * MINUTE);
    [r] = await reportsOf();
    assert.equal(r!.status, 'queued');
    assert.match(r!.lastError ?? '', /no answer from/, 'the dropped connection is the last error');
    assert.equal(r!.attempts, 3);

    // The intake records the notification but its answer never arrives: the retry gets the same reference.
    police.failNext('lose-answer');
    await slow.worker.runDue(t + 18 * MINUTE);
    [r] = await reportsOf();
    assert.equal(r!.status, 'queued', 'no answer: not known to be filed');
    await slow.worker.runDue(t + 24 * MINUTE);
    [r] = await reportsOf();
    assert.equal(r!.status, 'filed');
    assert.equal(police.received.size, 1, 'the police recorded the notification once');
    assert.ok(police.received.has(r!.externalId!), 'the stored reference is the one the police gave');
  });

  it('keeps a refused notification out of the retry loop with the intake’s answer, and sends it when a specialist retries', async () => {
    await notify({ memberStates: ['DE'] });
    police.failNext(422);
    await reporting.worker.runDue();
    let [r] = await reportsOf();
    assert.equal(r!.status, 'rejected');
    assert.match(r!.lastError ?? '', /HTTP 422 .*duty officer asks for a phone number/);
    assert.equal(r!.nextAttemptAt, null, 'not retried by itself');
    await reporting.retry(tenant, r!.id, user);
    await reporting.worker.runDue();
    [r] = await reportsOf();
    assert.equal(r!.status, 'filed');
  });

  it('writes an export file for a recipient without an intake, and files it when the specialist enters the reference', async () => {
    const { reports } = await notify({ memberStates: ['NL'] });
    await reporting.worker.runDue();
    let [r] = await reportsOf();
    assert.equal(r!.status, 'exported');
    const path = String(r!.progress.exportedTo);
    assert.equal(path, join(dir, `dsa18-${reports[0]!.id}.json`));
    assert.equal(statSync(path).mode & 0o777, 0o600, 'readable only by the service');
    const doc = JSON.parse(readFileSync(path, 'utf8')) as ThreatNotification;
    assert.equal(doc.recipient.name, 'Politie');
    assert.equal(doc.format, 'lifeguard-dsa18-notification/1');
    r = await reporting.enterReference(tenant, r!.id, 'NL-PLT-2026-77', user);
    assert.equal(r.status, 'filed');
    assert.equal(r.externalId, 'NL-PLT-2026-77');
    assert.equal((await storage.legalHolds(tenant, c.id)).length, 1, 'held once filed');
  });

  it('stands apart from NCMEC and NCA reports: both may exist on a case, each refused only as its own duplicate, counted separately', async () => {
    await reporting.prepare(
      tenant,
      c.id,
      { ...draftFor(c), reportedUser: { ...draftFor(c).reportedUser, userId: c.accusedId } },
      user,
    );
    await notify({ memberStates: ['DE'] });
    const again = await refusal(notify({ memberStates: ['DE'] }));
    assert.equal(again.statusCode, 409);
    assert.match(again.message, /already has a notification to DE/);
    const toIe = await notify({ memberStates: ['IE'] });
    assert.equal(toIe.reports.length, 1, 'another Member State may still be notified');
    await reporting.worker.runDue();
    const all = await storage.listAuthorityReports(tenant, { caseId: c.id, limit: 10 });
    assert.deepEqual(
      all.map((r) => `${r.authority}:${r.status}`).sort(),
      ['ncmec:filed', 'police:filed', 'police:filed'],
      all.map((r) => r.lastError).join('; '),
    );
    assert.equal(ncmec.finishedCount(), 1, 'NCMEC got its report and nothing else');
    assert.equal(police.received.size, 2, 'the police got the notifications and no CyberTipline report');
    const stats = computeStatistics({
      cases: [c],
      audit: [],
      reports: all,
      from: T0 - DAY,
      to: Date.now() + DAY,
      bucket: 'year',
    });
    assert.deepEqual(stats.rows[0]!.reportsByAuthority, { ncmec: { priority2: 1 }, police: { priority1: 2 } });
  });
});
