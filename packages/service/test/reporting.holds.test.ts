// Legal holds a specialist places or extends: a reason, a bounded number of days, an audit entry, a hold
// row that is never edited, and an extension that keeps a dismissed case out of retention. Through
// the console API, specialists only.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StaffRole } from '@lifeguard/storage';
import { startTestService, type TestService } from './helpers.ts';
import { createStaff } from '../src/console/api.ts';
import type { ServiceContext } from '../src/context.ts';
import { HOLD_EXTEND_ACTION } from '../src/reporting/evidenceVault.ts';
import { openCase, reportingConfig, T0 } from './reportingFixtures.ts';

const PASSWORD = 'correct horse battery staple';
const DAY = 86_400_000;

describe('legal holds placed and extended by a specialist', () => {
  let s: TestService;
  let uiDir = '';
  const who: Record<string, { cookie: string; csrf: string }> = {};
  const call = (as: string, method: string, url: string, payload?: unknown) =>
    s.app.inject({
      method: method as 'POST',
      url: `/console/api${url}`,
      headers: { cookie: who[as]!.cookie, ...(method !== 'GET' ? { 'x-csrf-token': who[as]!.csrf } : {}) },
      ...(payload === undefined ? {} : { payload: payload as object }),
    });

  before(async () => {
    uiDir = mkdtempSync(join(tmpdir(), 'lifeguard-holds-ui-'));
    writeFileSync(join(uiDir, 'index.html'), '<!doctype html><title>Lifeguard console</title>');
    s = await startTestService('sqlite', { console: { dir: uiDir }, reporting: reportingConfig('http://127.0.0.1:9') });
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
    rmSync(uiDir, { recursive: true, force: true });
  });

  it('lets only a specialist place a hold, with a reason and at most a year at a time', async () => {
    const c = await openCase(s.storage, 'acme', 'adult-h1');
    for (const role of ['moderator', 'admin'])
      assert.equal(
        (await call(role, 'POST', `/cases/${c.id}/holds`, { reason: 'police asked us to keep it', days: 30 }))
          .statusCode,
        403,
        `${role}: no holds`,
      );
    const bad = await call('specialist', 'POST', `/cases/${c.id}/holds`, { reason: 'why', days: 400 });
    assert.equal(bad.statusCode, 400);
    assert.deepEqual(
      bad
        .json()
        .problems.map((p: string) => p.split(':')[0])
        .sort(),
      ['days', 'reason'],
      bad.body,
    );
    const res = await call('specialist', 'POST', `/cases/${c.id}/holds`, {
      reason: 'a police preservation request (ref 2026/551)',
      days: 90,
    });
    assert.equal(res.statusCode, 201, res.body);
    const until = res.json().hold.until;
    assert.ok(Math.abs(until - (Date.now() + 90 * DAY)) < 60_000, 'held 90 days from now');
  });

  it('extends a hold from its end with a new audited hold row, and refuses beyond the bounds', async () => {
    const c = await openCase(s.storage, 'acme', 'adult-h2');
    const placed = (
      await call('specialist', 'POST', `/cases/${c.id}/holds`, { reason: 'report filed with NCMEC', days: 365 })
    ).json().hold;
    const res = await call('specialist', 'POST', `/cases/${c.id}/holds/${placed.id}/extend`, {
      reason: 'law enforcement asked for another six months',
      days: 180,
    });
    assert.equal(res.statusCode, 201, res.body);
    const ext = res.json().hold;
    assert.equal(ext.until, placed.until + 180 * DAY, 'extended from the end of the hold, not from today');
    assert.match(ext.reason, new RegExp(`^extends ${placed.id}: law enforcement asked`));
    const holds = await s.storage.legalHolds('acme', c.id);
    assert.deepEqual(
      holds.map((h) => h.until),
      [placed.until, ext.until],
      'the first hold is left as it was; the extension is its own row',
    );
    const [audit] = await s.storage.listAudit('acme', { caseId: c.id, action: HOLD_EXTEND_ACTION, limit: 5 });
    assert.ok(audit, 'the extension is audited');
    assert.equal('role' in audit.actor ? audit.actor.role : null, 'specialist', 'by a specialist');
    assert.deepEqual(
      [audit.details.extends, audit.details.days, audit.details.until],
      [placed.id, 180, ext.until],
      'the audit entry says which hold, by how much and until when',
    );

    // 365 + 180 days are held; four more years would reach past five years from today.
    let refused = await call('specialist', 'POST', `/cases/${c.id}/holds/${placed.id}/extend`, {
      reason: 'keep it a long while',
      days: 365,
    });
    for (let i = 0; i < 4 && refused.statusCode === 201; i++)
      refused = await call('specialist', 'POST', `/cases/${c.id}/holds/${placed.id}/extend`, {
        reason: 'keep it a long while',
        days: 365,
      });
    assert.equal(refused.statusCode, 409, refused.body);
    assert.match(refused.json().error, /beyond the limit of 1825 days from today/);
    const latest = Math.max(...(await s.storage.legalHolds('acme', c.id)).map((h) => h.until));
    assert.ok(latest <= Date.now() + 1825 * DAY, 'no hold reaches past five years');

    assert.equal(
      (
        await call('specialist', 'POST', `/cases/${c.id}/holds/hold_nope/extend`, {
          reason: 'keep it longer',
          days: 10,
        })
      ).statusCode,
      404,
      'an unknown hold',
    );
    assert.equal(
      (
        await call('moderator', 'POST', `/cases/${c.id}/holds/${placed.id}/extend`, {
          reason: 'keep it longer',
          days: 10,
        })
      ).statusCode,
      403,
      'moderators may not extend',
    );
  });

  it('keeps a dismissed case out of retention for the extension, and lets retention run once it ends', async () => {
    const c = await openCase(s.storage, 'acme', 'adult-h3', 'kid-1', 'dismissed');
    const vault = (s.app as unknown as { lifeguard: ServiceContext }).lifeguard.reporting.vault;
    await vault.freeze('acme', c.id, 'case opened', { system: 'test' }, T0);
    const spec = { id: 'spec-1', name: 'Spec', role: 'specialist' };
    const hold = await vault.hold('acme', c.id, 'report filed', spec, 30, T0);
    await vault.extendHold('acme', c.id, hold.id, 60, 'police asked for more time', spec, T0 + DAY);
    const purge = (at: number) => s.storage.purgeDismissedCaseEvidence('acme', at, at, 100);
    assert.equal((await purge(T0 + 60 * DAY)).casesPurged, 0, 'after the first hold, within the extension: kept');
    assert.ok((await s.storage.evidencePackages('acme', c.id))[0]!.package, 'the frozen content is intact');
    assert.equal((await purge(T0 + 91 * DAY)).casesPurged, 1, 'after the extension: purged');
    await assert.rejects(
      vault.extendHold('acme', c.id, hold.id, 30, 'too late now', spec, T0 + 92 * DAY),
      /already removed by retention/,
      'nothing is left to hold',
    );
  });
});
