// Reports and evidence through the console API: specialists only, every state visible, NCMEC's errors
// shown, verification for specialists and admins, and the platform API's verify call.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CaseRecord, StaffRole } from '@lifeguard/storage';
import { startTestService, type TestService } from './helpers.ts';
import { createStaff } from '../src/console/api.ts';
import { LocalNcmec } from './ncmecServer.ts';
import { draftFor, openCase, reportingConfig } from './reportingFixtures.ts';
import { messageEvents, setupEvents, STRANGER_CHAT, STRANGER_CONVERSATION } from '../src/demo/scenario.ts';

const PASSWORD = 'correct horse battery staple';

describe('reports and evidence in the console', () => {
  let s: TestService;
  let server: LocalNcmec;
  let uiDir = '';
  const who: Record<string, { cookie: string; csrf: string }> = {};

  const call = (as: string | null, method: string, url: string, payload?: unknown, csrf = true) => {
    const w = as ? who[as]! : null;
    return s.app.inject({
      method: method as 'GET',
      url: `/console/api${url}`,
      headers: w ? { cookie: w.cookie, ...(method !== 'GET' && csrf ? { 'x-csrf-token': w.csrf } : {}) } : {},
      ...(payload === undefined ? {} : { payload: payload as object }),
    });
  };

  before(async () => {
    server = new LocalNcmec();
    await server.start();
    uiDir = mkdtempSync(join(tmpdir(), 'lifeguard-console-ui-'));
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Lifeguard console</title>');
    s = await startTestService('sqlite', { console: { dir: uiDir }, reporting: reportingConfig(server.url) });
    for (const [email, role] of [
      ['spec@acme.example', 'specialist'],
      ['admin@acme.example', 'admin'],
      ['mod@acme.example', 'moderator'],
    ] as [string, StaffRole][]) {
      await createStaff(
        { storage: s.storage },
        'acme',
        { email, name: role, role, password: PASSWORD },
        { system: 'test' },
      );
      const res = await s.app.inject({
        method: 'POST',
        url: '/console/api/session',
        payload: { tenant: 'acme', email, password: PASSWORD },
      });
      assert.equal(res.statusCode, 200, res.body);
      who[role] = { cookie: String(res.headers['set-cookie']).split(';')[0]!, csrf: res.json().csrfToken };
    }
  });
  after(async () => {
    await s?.close();
    await server.stop();
    rmSync(uiDir, { recursive: true, force: true });
  });

  const draft = (c: CaseRecord) => ({
    ...draftFor(c),
    reportedUser: { ...draftFor(c).reportedUser, userId: c.accusedId },
  });

  it('lets only a specialist prepare reports or read and export evidence; admins may verify', async () => {
    const c = await openCase(s.storage, 'acme', 'adult-roles');
    for (const role of ['moderator', 'admin']) {
      assert.equal(
        (await call(role, 'POST', `/cases/${c.id}/reports`, draft(c))).statusCode,
        403,
        `${role}: no reporting`,
      );
      assert.equal((await call(role, 'GET', `/cases/${c.id}/reports`)).statusCode, 403, `${role}: no report list`);
      assert.equal((await call(role, 'GET', `/cases/${c.id}/evidence/export`)).statusCode, 403, `${role}: no export`);
    }
    assert.equal((await call('moderator', 'POST', '/evidence/verify', {})).statusCode, 403, 'moderators do not verify');
    assert.equal(
      (await call('admin', 'POST', '/evidence/verify', {})).statusCode,
      200,
      'admins verify (findings, no content)',
    );
    assert.equal((await call(null, 'POST', `/cases/${c.id}/reports`, draft(c))).statusCode, 401, 'signed out');
    assert.equal(
      (await call('specialist', 'POST', `/cases/${c.id}/reports`, draft(c), false)).statusCode,
      403,
      'no CSRF token',
    );
    assert.equal(
      (await call('specialist', 'POST', '/cases/case_nope/reports', draft(c))).statusCode,
      404,
      'unknown case',
    );
  });

  it("files a report the specialist prepares and shows its status, and shows NCMEC's error on a refused one", async () => {
    const c = await openCase(s.storage, 'acme', 'adult-console');
    const missing = await call('specialist', 'POST', `/cases/${c.id}/reports`, { ...draft(c), summary: undefined });
    assert.equal(missing.statusCode, 400);
    assert.ok(
      missing.json().problems.some((p: string) => p.startsWith('summary:')),
      'the missing field is named',
    );

    const created = await call('specialist', 'POST', `/cases/${c.id}/reports`, draft(c));
    assert.equal(created.statusCode, 201, created.body);
    assert.deepEqual(
      created.json().reports.map((r: { status: string }) => r.status),
      ['queued'],
    );
    await s.app.lifeguard.reporting.worker.runDue();
    const list = (await call('specialist', 'GET', `/cases/${c.id}/reports`)).json();
    assert.equal(list.reports[0].status, 'filed');
    assert.match(list.reports[0].externalId, /^\d+$/, "NCMEC's report id is shown");
    assert.equal(list.holds.length, 1, 'the hold is shown');
    assert.deepEqual(
      list.packages.map((p: { reason: string }) => p.reason.split(' (')[0]),
      ['report prepared', `report ${list.reports[0].id} filed with NCMEC`],
      'frozen when prepared and when filed',
    );
    assert.match(list.form.declaration, /reviewed this case myself/, 'the declaration text comes from the server');

    const refused = await openCase(s.storage, 'acme', 'adult-refused');
    server.fail('/submit', {
      kind: 'code',
      code: 4100,
      description: 'Validation failed: reportingPerson email',
      status: 400,
    });
    await call('specialist', 'POST', `/cases/${refused.id}/reports`, draft(refused));
    await s.app.lifeguard.reporting.worker.runDue();
    const shown = (await call('specialist', 'GET', `/cases/${refused.id}/reports`)).json().reports[0];
    assert.equal(shown.status, 'rejected');
    assert.equal(
      shown.lastError,
      'NCMEC submit: 4100 Validation failed: reportingPerson email',
      "NCMEC's error as it answered",
    );
    const retried = await call('specialist', 'POST', `/reports/${shown.id}/retry`, {});
    assert.equal(retried.statusCode, 200, retried.body);
    await s.app.lifeguard.reporting.worker.runDue();
    assert.equal(
      (await call('specialist', 'GET', `/cases/${refused.id}/reports`)).json().reports[0].status,
      'filed',
      'retryable from the console',
    );
  });

  it('freezes the evidence the moment the detector opens a case', async () => {
    const base = Date.now() - 3_600_000;
    assert.equal((await s.ingest(setupEvents(base))).statusCode, 200);
    for (const event of messageEvents(STRANGER_CHAT, STRANGER_CONVERSATION, 'stranger', base + 30_000))
      assert.equal((await s.ingest([event])).statusCode, 200);
    const opened = (await s.storage.listCases('acme', { accusedId: 'rick', limit: 5 }))[0];
    assert.ok(opened, 'the detector opened a case against the adult');
    const packages = await s.storage.evidencePackages('acme', opened.id);
    assert.equal(packages[0]?.reason, 'case opened', 'frozen on opening, before anyone looked at it');
    const content = JSON.parse(packages[0]!.package!);
    assert.ok(
      content.evidence.conversations[STRANGER_CONVERSATION].messages.some((m: { text: string }) =>
        /how old are you/.test(m.text),
      ),
      'with the messages',
    );
    assert.equal(content.engine.model.version, 1, 'and the model version');
  });

  it("exports a case's evidence for the specialist, audited, and verifies it on the platform API", async () => {
    const c = await openCase(s.storage, 'acme', 'adult-export');
    await s.app.lifeguard.reporting.caseOpened('acme', c);
    const res = await call('specialist', 'GET', `/cases/${c.id}/evidence/export`);
    assert.equal(res.statusCode, 200, res.body);
    assert.match(String(res.headers['content-disposition']), /attachment; filename="evidence-case_/);
    assert.equal(res.json().verification.ok, true);
    const audit = await s.storage.listAudit('acme', { caseId: c.id, action: 'evidence.export', limit: 5 });
    assert.equal(audit.length, 1, 'the export is audited');
    assert.equal((audit[0]!.actor as { role: string }).role, 'specialist');

    const api = await s.call('POST', '/v1/evidence/verify', s.keys.admin, {});
    assert.equal(api.statusCode, 200, api.body);
    assert.equal(api.json().ok, true, `the API's verify passes (problems: ${JSON.stringify(api.json().problems)})`);
    assert.equal((await s.call('POST', '/v1/evidence/verify', s.keys.reader, {})).statusCode, 403, 'admin scope only');
    assert.equal(
      (await call('specialist', 'POST', '/reports/rpt_nope/reference', { reference: 'no spaces allowed' })).statusCode,
      400,
      'a malformed reference is refused',
    );
  });
});
