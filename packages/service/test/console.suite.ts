// The moderator console's server side, against both stores (console.sqlite.test.ts, console.postgres.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openTestStore, type TestStoreKind } from '@lifeguard/storage/testing';
import { newId, verifyAuditChain, type CaseRecord, type StaffRole } from '@lifeguard/storage';
import { buildServer } from '../src/index.ts';
import { startTestService, type TestService } from './helpers.ts';
import { ACCOUNT_LOCK, createStaff, SIGNIN_FAILURE_FLOOR_MS } from '../src/console/api.ts';
import { sha256 } from '../src/console/session.ts';

const PASSWORD = 'correct horse battery staple';
const HOUR = 3_600_000;

interface Session {
  cookie: string;
  csrf: string;
  userId: string;
}

/** A case as the detector opens it: a conversation between an adult and a 12-year-old, with spans. */
function groomingCase(
  tenantId: string,
  accusedId: string,
  childId: string,
  text = 'dont tell your parents, add me on snap',
): CaseRecord {
  const t = Date.now() - 2 * HOUR;
  const conversationId = `conv-${accusedId}`;
  const messages = [
    {
      id: `${accusedId}-m1`,
      time: t,
      senderId: accusedId,
      recipientIds: [childId],
      text: 'how old are you',
      textPurged: false,
    },
    {
      id: `${accusedId}-m2`,
      time: t + 60_000,
      senderId: childId,
      recipientIds: [accusedId],
      text: 'im 12',
      textPurged: false,
    },
    {
      id: `${accusedId}-m3`,
      time: t + 120_000,
      senderId: accusedId,
      recipientIds: [childId],
      text,
      textPurged: false,
      attachments: [{ kind: 'image', ref: 'media://upload/123' }],
    },
  ];
  const report = {
    conversationId,
    score: 0.82,
    level: 'high',
    stage: 'platform_move',
    stagesReached: ['risk_assessment', 'platform_move'],
    sextortion: { leverage: false, threat: false, payment: false, deadline: false },
    suspectId: accusedId,
    targetId: childId,
    participants: [],
    messageCount: 3,
    firstAt: t,
    lastAt: t + 120_000,
    reasons: ['asks a child to keep the conversation secret', 'asks to move to another app'],
    evidence: [
      {
        messageId: `${accusedId}-m1`,
        conversationId,
        senderId: accusedId,
        time: t,
        stage: 'risk_assessment',
        kind: 'age_probe',
        start: 0,
        end: 15,
        excerpt: 'how old are you',
      },
      {
        messageId: `${accusedId}-m3`,
        conversationId,
        senderId: accusedId,
        time: t + 120_000,
        stage: 'isolation',
        kind: 'secrecy',
        start: 0,
        end: 21,
        excerpt: text.slice(0, 21),
      },
    ],
  };
  return {
    id: newId('case'),
    tenantId,
    accusedId,
    status: 'open',
    level: 'high',
    score: 0.82,
    conversationIds: [conversationId],
    evidence: {
      alerts: [],
      actor: null,
      conversations: { [conversationId]: { report, messages } },
      participants: [
        {
          userId: accusedId,
          age: 34,
          ageSource: 'declared',
          isMinor: false,
          declaredAge: 34,
          declaredAgeBand: null,
          country: 'GB',
        },
        {
          userId: childId,
          age: 12,
          ageSource: 'declared',
          isMinor: true,
          declaredAge: 12,
          declaredAgeBand: null,
          country: 'GB',
        },
      ],
    },
    openedAt: t,
    updatedAt: t,
    version: 1,
  };
}

export function consoleSuite(kind: TestStoreKind, skip?: string): void {
  describe(`moderator console on ${kind}`, { skip }, () => {
    let s: TestService;
    let uiDir: string;
    const ids: Record<string, string> = {};

    /** The test service hosts two tenants, so sign-in names one: the email's domain says which. */
    const tenantOf = (email: string) => email.split('@')[1]!.split('.')[0]!.toLowerCase();
    /** `tenant` null: sign in without naming one. */
    const signIn = async (email: string, password = PASSWORD, tenant: string | null = tenantOf(email)) =>
      s.app.inject({
        method: 'POST',
        url: '/console/api/session',
        payload: tenant === null ? { email, password } : { tenant, email, password },
      });

    async function session(email: string): Promise<Session> {
      const res = await signIn(email);
      assert.equal(res.statusCode, 200, res.body);
      const cookie = String(res.headers['set-cookie']).split(';')[0]!;
      return { cookie, csrf: res.json().csrfToken, userId: res.json().user.id };
    }

    const call = (
      who: Session | null,
      method: string,
      url: string,
      payload?: unknown,
      headers: Record<string, string> = {},
    ) =>
      s.app.inject({
        method: method as 'GET',
        url,
        headers: {
          ...(who ? { cookie: who.cookie, ...(method !== 'GET' ? { 'x-csrf-token': who.csrf } : {}) } : {}),
          ...headers,
        },
        ...(payload === undefined ? {} : { payload: payload as object }),
      });

    async function addStaff(tenant: string, email: string, role: StaffRole, name: string) {
      const u = await createStaff(
        { storage: s.storage },
        tenant,
        { email, name, role, password: PASSWORD },
        { system: 'test' },
      );
      ids[email] = u.id;
    }

    async function newCase(tenant = 'acme', text?: string): Promise<CaseRecord> {
      const accused = newId('adult');
      const c = groomingCase(tenant, accused, newId('kid'), text);
      await s.storage.saveCase(tenant, { caseRecord: c });
      return c;
    }

    before(async () => {
      uiDir = mkdtempSync(join(tmpdir(), 'lifeguard-console-ui-'));
      writeFileSync(
        join(uiDir, 'index.html'),
        '<!doctype html><title>Lifeguard console</title><script type="module" src="/console/app.js"></script>',
      );
      writeFileSync(join(uiDir, 'app.js'), 'console.log("console")');
      s = await startTestService(kind, { console: { dir: uiDir } });
      await addStaff('acme', 'admin@acme.example', 'admin', 'Ada Admin');
      await addStaff('acme', 'mod1@acme.example', 'moderator', 'Mo One');
      await addStaff('acme', 'mod2@acme.example', 'moderator', 'Mo Two');
      await addStaff('acme', 'spec@acme.example', 'specialist', 'Sam Specialist');
      await addStaff('acme', 'locked@acme.example', 'moderator', 'Lou Locked');
      await addStaff('globex', 'mod@globex.example', 'moderator', 'Gus Globex');
    });
    after(async () => {
      await s?.close();
      rmSync(uiDir, { recursive: true, force: true });
    });

    describe('serving the UI', () => {
      it('serves the built app under /console/ with a strict CSP, and index.html for app routes', async () => {
        const res = await s.app.inject({ method: 'GET', url: '/console/' });
        assert.equal(res.statusCode, 200);
        assert.match(res.body, /Lifeguard console/);
        assert.match(String(res.headers['content-security-policy']), /script-src 'self'; .*frame-ancestors 'none'/);
        assert.equal(res.headers['x-content-type-options'], 'nosniff');
        assert.equal(res.headers['referrer-policy'], 'no-referrer');
        const route = await s.app.inject({ method: 'GET', url: '/console/cases/case_123' });
        assert.equal(route.statusCode, 200);
        assert.match(route.body, /Lifeguard console/);
        const asset = await s.app.inject({ method: 'GET', url: '/console/app.js' });
        assert.equal(asset.body, 'console.log("console")');
        const root = await s.app.inject({ method: 'GET', url: '/' });
        assert.equal(root.statusCode, 302);
        assert.equal(root.headers.location, '/console/');
      });

      it('answers 503 naming the build command when the UI is not built', async () => {
        const other = await startTestService(kind, { console: { dir: join(uiDir, 'missing') } });
        try {
          const res = await other.app.inject({ method: 'GET', url: '/console/queue' });
          assert.equal(res.statusCode, 503);
          assert.match(res.body, /npm run build -w @lifeguard\/console/);
        } finally {
          await other.close();
        }
      });

      it('keeps the console API out of the /v1 OpenAPI document', async () => {
        const doc = (await s.app.inject({ method: 'GET', url: '/openapi.json' })).json();
        assert.ok(!Object.keys(doc.paths).some((p) => p.startsWith('/console')), 'no /console path is in the document');
        assert.ok(doc.paths['/v1/appeals'], 'the appeals endpoint is documented');
      });
    });

    describe('sign-in and sessions', () => {
      it('signs in with an HttpOnly SameSite=Strict cookie, reports the session, and signs out for good', async () => {
        const res = await signIn('MOD1@acme.example');
        assert.equal(res.statusCode, 200);
        const setCookie = String(res.headers['set-cookie']);
        assert.match(setCookie, /^lg_session=[A-Za-z0-9_-]{43}; HttpOnly; SameSite=Strict; Path=\//);
        assert.deepEqual(res.json().user, {
          id: ids['mod1@acme.example'],
          email: 'mod1@acme.example',
          name: 'Mo One',
          role: 'moderator',
          tenantId: 'acme',
        });
        const me = { cookie: setCookie.split(';')[0]!, csrf: res.json().csrfToken as string, userId: '' };
        const token = me.cookie.split('=')[1]!;
        assert.ok(await s.storage.findStaffSession(sha256(token)), 'the session is stored by the hash of the token');
        assert.equal(await s.storage.findStaffSession(token), null, 'and never by the token itself');
        assert.equal((await call(me, 'GET', '/console/api/session')).json().csrfToken, me.csrf);
        assert.equal((await call(me, 'DELETE', '/console/api/session')).statusCode, 204);
        const replayed = await call(me, 'GET', '/console/api/queue');
        assert.equal(replayed.statusCode, 401, 'a replayed cookie after sign-out is refused');
        assert.equal(replayed.json().code, 'unauthenticated');
      });

      it('signs in without a tenant when the service hosts only one', async () => {
        const store = await openTestStore(kind);
        try {
          await store.storage.createTenant('solo', 'Solo Chat');
          await createStaff(
            { storage: store.storage },
            'solo',
            { email: 'mod1@acme.example', name: 'Solo', role: 'moderator', password: 'the solo password' },
            { system: 'test' },
          );
          const solo = await buildServer({ storage: store.storage, webhooks: false, console: { dir: uiDir } });
          try {
            const res = await solo.inject({
              method: 'POST',
              url: '/console/api/session',
              payload: { email: 'MOD1@acme.example', password: 'the solo password' },
            });
            assert.equal(res.statusCode, 200, res.body);
            assert.equal(res.json().user.tenantId, 'solo');
            const wrong = await solo.inject({
              method: 'POST',
              url: '/console/api/session',
              payload: { email: 'mod1@acme.example', password: PASSWORD },
            });
            assert.equal(wrong.statusCode, 401, 'a wrong password is still refused');
          } finally {
            await solo.close();
          }
        } finally {
          await store.cleanup();
        }
      });

      it('gives the same answer for a wrong password and an unknown email', async () => {
        const wrong = await signIn('mod2@acme.example', 'not the password at all');
        const unknown = await signIn('nobody@acme.example', 'not the password at all');
        assert.equal(wrong.statusCode, 401);
        assert.equal(unknown.statusCode, 401);
        assert.deepEqual(wrong.json(), unknown.json());
        assert.equal(wrong.json().code, 'invalid_credentials');
        assert.equal(wrong.headers['set-cookie'], undefined);
      });

      it('marks the cookie Secure behind a TLS-terminating proxy', async () => {
        const res = await s.app.inject({
          method: 'POST',
          url: '/console/api/session',
          payload: { tenant: 'acme', email: 'mod2@acme.example', password: PASSWORD },
          headers: { 'x-forwarded-proto': 'https' },
        });
        assert.equal(res.statusCode, 200);
        assert.match(String(res.headers['set-cookie']), /; Secure$/);
        assert.doesNotMatch(String((await signIn('mod2@acme.example')).headers['set-cookie']), /Secure/);
      });

      it('locks an account after five failures, even against the right password, and logs the failures', async () => {
        for (let i = 0; i < 5; i++)
          assert.equal((await signIn('locked@acme.example', `wrong password ${i}`)).statusCode, 401);
        const res = await signIn('locked@acme.example');
        assert.equal(res.statusCode, 429);
        assert.equal(res.json().code, 'locked');
        for (let i = 0; i < 5; i++) await signIn('ghost@acme.example', `wrong password ${i}`);
        assert.equal(
          (await signIn('ghost@acme.example', 'wrong again')).statusCode,
          429,
          'unknown emails lock alike, so a lock reveals nothing',
        );
        const failures = await s.storage.listAudit('acme', {
          action: 'session.signin_failed',
          actorId: ids['locked@acme.example']!,
          limit: 10,
        });
        assert.equal(failures.length, 6);
      });

      it('a lock set from one address does not lock the owner of the account out from another', async () => {
        await addStaff('acme', 'target@acme.example', 'moderator', 'Tia Target');
        const from = (remoteAddress: string, password: string) =>
          s.app.inject({
            method: 'POST',
            url: '/console/api/session',
            payload: { tenant: 'acme', email: 'target@acme.example', password },
            remoteAddress,
          });
        for (let i = 0; i < 5; i++)
          assert.equal((await from('198.51.100.66', `wrong password ${i}`)).statusCode, 401, 'the abuser fails');
        assert.equal((await from('198.51.100.66', PASSWORD)).statusCode, 429, "the abuser's address is locked");
        assert.equal(
          (await from('192.0.2.10', PASSWORD)).statusCode,
          200,
          'the owner still signs in from their own address',
        );
      });

      it('a flood of failures from many addresses locks a real and an unknown email alike', async () => {
        await addStaff('acme', 'flooded@acme.example', 'moderator', 'Flo Flooded');
        const flood = (email: string) =>
          Promise.all(
            Array.from({ length: ACCOUNT_LOCK.maxFailures }, (_, i) =>
              s.app.inject({
                method: 'POST',
                url: '/console/api/session',
                payload: { tenant: 'acme', email, password: `guess number ${i}` },
                remoteAddress: `198.18.${i >> 8}.${i & 255}`,
              }),
            ),
          );
        for (const email of ['flooded@acme.example', 'nobody-here@acme.example']) {
          assert.ok(
            (await flood(email)).every((r) => r.statusCode === 401),
            `${email}: each guess refused alike`,
          );
          const res = await s.app.inject({
            method: 'POST',
            url: '/console/api/session',
            payload: { tenant: 'acme', email, password: PASSWORD },
            remoteAddress: '192.0.2.77',
          });
          assert.equal(res.statusCode, 429, `${email}: locked for every address after the flood`);
        }
      });

      it('answers every failed sign-in no sooner than the floor, whether the email exists, is locked or is unknown', async () => {
        for (const [email, password] of [
          ['locked@acme.example', PASSWORD],
          ['mod2@acme.example', 'not the password'],
          ['nobody@acme.example', 'not the password'],
        ] as const) {
          const started = performance.now();
          const res = await signIn(email, password); // from the address locked@ was locked from
          const took = performance.now() - started;
          assert.ok(res.statusCode === 401 || res.statusCode === 429, `${email}: refused (${res.statusCode})`);
          assert.ok(
            took >= SIGNIN_FAILURE_FLOOR_MS - 5,
            `${email}: answered after ${took.toFixed(0)} ms, before the ${SIGNIN_FAILURE_FLOOR_MS} ms floor`,
          );
        }
      });

      it('refuses a forged cookie, a missing one, and expired sessions', async () => {
        assert.equal(
          (
            await call(
              { cookie: 'lg_session=forged-value-that-was-never-issued', csrf: 'x', userId: '' },
              'GET',
              '/console/api/queue',
            )
          ).statusCode,
          401,
        );
        assert.equal((await call(null, 'GET', '/console/api/queue')).statusCode, 401);
        const now = Date.now();
        const base = { userId: ids['mod2@acme.example']!, tenantId: 'acme', csrfToken: 'csrf' };
        await s.storage.createStaffSession({
          ...base,
          tokenHash: sha256('idle-token'),
          createdAt: now - HOUR,
          lastSeenAt: now - 31 * 60_000,
          expiresAt: now + HOUR,
        });
        await s.storage.createStaffSession({
          ...base,
          tokenHash: sha256('old-token'),
          createdAt: now - 13 * HOUR,
          lastSeenAt: now,
          expiresAt: now - 1,
        });
        await s.storage.createStaffSession({
          ...base,
          tokenHash: sha256('live-token'),
          createdAt: now,
          lastSeenAt: now,
          expiresAt: now + HOUR,
        });
        assert.equal(
          (await call({ cookie: 'lg_session=idle-token', csrf: 'csrf', userId: '' }, 'GET', '/console/api/queue'))
            .statusCode,
          401,
          'idle for 31 minutes',
        );
        assert.equal(
          (await call({ cookie: 'lg_session=old-token', csrf: 'csrf', userId: '' }, 'GET', '/console/api/queue'))
            .statusCode,
          401,
          'past 12 hours',
        );
        assert.equal(
          (await call({ cookie: 'lg_session=live-token', csrf: 'csrf', userId: '' }, 'GET', '/console/api/queue'))
            .statusCode,
          200,
        );
        assert.equal(await s.storage.findStaffSession(sha256('idle-token')), null, 'an ended session is deleted');
      });

      it('refuses state changes without the CSRF token, with a wrong one, or from another origin', async () => {
        const me = await session('mod2@acme.example');
        const c = await newCase();
        const missing = await s.app.inject({
          method: 'POST',
          url: `/console/api/cases/${c.id}/claim`,
          headers: { cookie: me.cookie },
        });
        assert.equal(missing.statusCode, 403);
        assert.equal(missing.json().code, 'csrf');
        assert.equal(
          (await call({ ...me, csrf: 'wrong' }, 'POST', `/console/api/cases/${c.id}/claim`)).statusCode,
          403,
        );
        const foreign = await call(me, 'POST', `/console/api/cases/${c.id}/claim`, undefined, {
          origin: 'https://evil.example',
        });
        assert.equal(foreign.statusCode, 403);
        assert.equal(foreign.json().code, 'csrf');
        const signinFromElsewhere = await s.app.inject({
          method: 'POST',
          url: '/console/api/session',
          payload: { tenant: 'acme', email: 'mod2@acme.example', password: PASSWORD },
          headers: { origin: 'https://evil.example' },
        });
        assert.equal(signinFromElsewhere.statusCode, 403, 'no sign-in from another site either');
        const lookalike = await call(me, 'POST', `/console/api/cases/${c.id}/claim`, undefined, {
          origin: 'http://localhost:80.evil.example',
        });
        assert.equal(lookalike.statusCode, 403);
        assert.equal(
          (await call(me, 'POST', `/console/api/cases/${c.id}/claim`, undefined, { origin: 'null' })).statusCode,
          403,
        );
        const own = await call(me, 'POST', `/console/api/cases/${c.id}/claim`, undefined, {
          origin: 'https://localhost:80',
        });
        assert.equal(own.statusCode, 200, own.body);
      });

      it('ends every session of a user an admin disables', async () => {
        await addStaff('acme', 'temp@acme.example', 'moderator', 'Tess Temp');
        const temp = await session('temp@acme.example');
        const admin = await session('admin@acme.example');
        const res = await call(admin, 'PATCH', `/console/api/staff/${temp.userId}`, { disabled: true });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal((await call(temp, 'GET', '/console/api/queue')).statusCode, 401);
        assert.equal((await signIn('temp@acme.example')).statusCode, 401);
      });
    });

    describe('roles and tenants', () => {
      it('refuses moderators the staff and audit APIs, and suspend or disable', async () => {
        const mod = await session('mod1@acme.example');
        for (const [method, url, body] of [
          ['GET', '/console/api/staff'],
          ['POST', '/console/api/staff', { email: 'x@acme.example', name: 'X', role: 'admin', password: PASSWORD }],
          ['PATCH', `/console/api/staff/${mod.userId}`, { role: 'admin' }],
          ['GET', '/console/api/audit'],
        ] as const) {
          const res = await call(mod, method, url, body);
          assert.equal(res.statusCode, 403, `${method} ${url}`);
          assert.equal(res.json().code, 'forbidden');
        }
        const c = await newCase();
        assert.equal((await call(mod, 'POST', `/console/api/cases/${c.id}/claim`)).statusCode, 200);
        for (const action of ['suspend', 'disable']) {
          const res = await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, {
            action,
            reason: 'grooming',
            note: 'asked a 12-year-old for secrecy',
            durationHours: 24,
            expectedVersion: 1,
          });
          assert.equal(res.statusCode, 403, action);
        }
        const view = (await call(mod, 'GET', `/console/api/cases/${c.id}`)).json();
        assert.ok(view.allowedActions.includes('warn'), 'a moderator may warn');
        assert.ok(
          !view.allowedActions.includes('suspend') && !view.allowedActions.includes('disable'),
          'a moderator may not suspend or disable',
        );
        const spec = await session('spec@acme.example');
        assert.equal((await call(spec, 'GET', '/console/api/audit')).statusCode, 200);
        assert.equal((await call(spec, 'GET', '/console/api/staff')).statusCode, 403, 'staff management is for admins');
      });

      it("answers 404 for another tenant's case, exactly as for one that does not exist", async () => {
        const globex = await session('mod@globex.example');
        const c = await newCase('acme');
        for (const [method, url] of [
          ['GET', `/console/api/cases/${c.id}`],
          ['POST', `/console/api/cases/${c.id}/claim`],
          ['POST', `/console/api/cases/${c.id}/notes`],
          ['POST', `/console/api/cases/${c.id}/decisions`],
        ] as const) {
          const foreign = await call(
            globex,
            method,
            url,
            method === 'POST' ? { note: 'looking around here' } : undefined,
          );
          const missing = await call(
            globex,
            method,
            url.replace(c.id, 'case_doesnotexist'),
            method === 'POST' ? { note: 'looking around here' } : undefined,
          );
          assert.equal(foreign.statusCode, 404, `${method} ${url}`);
          assert.equal(missing.statusCode, 404);
          assert.equal(foreign.json().code, missing.json().code);
        }
        const queue = (await call(globex, 'GET', '/console/api/queue')).json();
        assert.ok(
          !queue.items.some((i: { id: string }) => i.id === c.id),
          "the other tenant's case is not in the queue",
        );
      });
    });

    describe('queue, claims and decisions', () => {
      it('lists open cases by urgency with reasons and counts, and pages with a cursor', async () => {
        const mod = await session('mod1@acme.example');
        await newCase();
        await newCase();
        const first = (await call(mod, 'GET', '/console/api/queue?view=open&limit=2')).json();
        assert.equal(first.items.length, 2);
        assert.ok(first.items[0].urgency >= first.items[1].urgency, 'the most urgent case comes first');
        assert.ok(first.items[0].reasons.includes('child aged 12'), first.items[0].reasons.join(', '));
        assert.equal(first.items[0].childAge, 12);
        assert.ok(first.counts.open >= 2, 'both open cases are counted');
        const second = (
          await call(mod, 'GET', `/console/api/queue?view=open&limit=2&cursor=${first.nextCursor}`)
        ).json();
        assert.ok(
          !second.items.some((i: { id: string }) => first.items.some((f: { id: string }) => f.id === i.id)),
          'the second page repeats no case of the first',
        );
        assert.equal((await call(mod, 'GET', '/console/api/queue?cursor=garbage')).statusCode, 400);
      });

      it('lets exactly one of two moderators claim a case at the same moment', async () => {
        const [a, b] = await Promise.all([session('mod1@acme.example'), session('mod2@acme.example')]);
        const c = await newCase();
        const [ra, rb] = await Promise.all([
          call(a, 'POST', `/console/api/cases/${c.id}/claim`),
          call(b, 'POST', `/console/api/cases/${c.id}/claim`),
        ]);
        const codes = [ra.statusCode, rb.statusCode].sort();
        assert.deepEqual(codes, [200, 409]);
        const loser = ra.statusCode === 409 ? ra : rb;
        assert.equal(loser.json().code, 'claimed');
        assert.ok(['Mo One', 'Mo Two'].includes(loser.json().claimedBy.name), 'the loser is told who holds the claim');
      });

      it('gives "next case" to one moderator at a time', async () => {
        const [a, b] = await Promise.all([session('mod1@acme.example'), session('mod2@acme.example')]);
        const [ra, rb] = await Promise.all([
          call(a, 'POST', '/console/api/queue/next'),
          call(b, 'POST', '/console/api/queue/next'),
        ]);
        assert.equal(ra.statusCode, 200, ra.body);
        assert.equal(rb.statusCode, 200, rb.body);
        assert.notEqual(ra.json().case.id, rb.json().case.id);
        assert.equal(ra.json().case.claimedBy.id, a.userId);
      });

      it('refuses a decision without the claim, without a note, or with a stale version', async () => {
        const mod = await session('mod1@acme.example');
        const c = await newCase();
        const decision = {
          action: 'warn',
          reason: 'grooming',
          note: 'asked a 12-year-old to keep secrets',
          expectedVersion: 1,
        };
        const unclaimed = await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, decision);
        assert.equal(unclaimed.statusCode, 409);
        assert.equal(unclaimed.json().code, 'not_claimed');
        await call(mod, 'POST', `/console/api/cases/${c.id}/claim`);
        const noNote = await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, { ...decision, note: '' });
        assert.equal(noNote.statusCode, 400);
        assert.ok(
          noNote.json().problems.some((p: string) => p.startsWith('note:')),
          'the missing note is named',
        );
        const { note: _n, ...withoutNote } = decision;
        assert.equal((await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, withoutNote)).statusCode, 400);
        const badReason = await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, {
          ...decision,
          reason: 'no_violation',
        });
        assert.equal(badReason.statusCode, 400);
        const stale = await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, {
          ...decision,
          expectedVersion: 5,
        });
        assert.equal(stale.statusCode, 409);
        assert.equal(stale.json().code, 'conflict');
      });

      it('sends the decision to the platform by webhook in the same transaction and records it in the audit log', async () => {
        await s.storage.createWebhook({
          id: newId('wh'),
          tenantId: 'acme',
          url: 'https://platform.example/hooks',
          secret: 'shh',
          events: ['enforcement.action'],
          enabled: true,
        });
        const mod = await session('mod2@acme.example');
        const c = await newCase();
        await call(mod, 'POST', `/console/api/cases/${c.id}/claim`);
        const res = await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, {
          action: 'restrict',
          reason: 'grooming',
          note: 'secrecy and platform move with a 12-year-old',
          durationHours: 72,
          expectedVersion: 1,
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().case.status, 'actioned');
        assert.equal(res.json().audit.action, 'case.decision');
        const deliveries = await s.storage.listDeliveries('acme', { limit: 50 });
        const sent = deliveries.find(
          (d) => d.eventType === 'enforcement.action' && (d.payload as { caseId: string }).caseId === c.id,
        );
        assert.ok(sent, 'the webhook is queued');
        assert.deepEqual(
          { ...(sent!.payload as object), decidedAt: 0 },
          {
            caseId: c.id,
            accountId: c.accusedId,
            action: 'restrict',
            reason: 'grooming',
            durationHours: 72,
            decidedBy: mod.userId,
            decidedAt: 0,
          },
        );
        const actions = await s.storage.enforcementActions('acme', [c.accusedId]);
        assert.deepEqual(
          actions.map((a) => [a.action, a.durationHours]),
          [['restrict', 72]],
        );
        const trail = await s.storage.listAudit('acme', { caseId: c.id, limit: 20 });
        assert.deepEqual(trail.map((e) => e.action).reverse(), ['case.claim', 'case.decision']);
        assert.equal((await verifyAuditChain(s.storage, 'acme')).ok, true);
        const spec = await session('spec@acme.example');
        const log = (await call(spec, 'GET', `/console/api/audit?caseId=${c.id}`)).json();
        assert.equal(log.entries[0].details.note, 'secrecy and platform move with a 12-year-old');
        assert.deepEqual(log.entries[0].actor, { id: mod.userId, name: 'Mo Two', role: 'moderator' });
      });

      it('lets specialists disable an account and records the ban for ban-evasion checks', async () => {
        const spec = await session('spec@acme.example');
        const c = await newCase();
        await call(spec, 'POST', `/console/api/cases/${c.id}/claim`);
        const res = await call(spec, 'POST', `/console/api/cases/${c.id}/decisions`, {
          action: 'disable',
          reason: 'grooming',
          note: 'repeated grooming of a 12-year-old',
          expectedVersion: 1,
        });
        assert.equal(res.statusCode, 200, res.body);
        const bans = await s.storage.accountBans('acme', [c.accusedId]);
        assert.deepEqual(
          bans.map((b) => [b.reason, b.caseId]),
          [['grooming', c.id]],
        );
      });

      it('keeps escalated cases for specialists', async () => {
        const mod = await session('mod1@acme.example');
        const c = await newCase();
        await call(mod, 'POST', `/console/api/cases/${c.id}/claim`);
        const res = await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, {
          action: 'escalate',
          reason: 'possible_crime',
          note: 'payment demands; needs a specialist',
          expectedVersion: 1,
        });
        assert.equal(res.statusCode, 200, res.body);
        assert.equal(res.json().case.status, 'escalated');
        assert.equal((await call(mod, 'POST', `/console/api/cases/${c.id}/claim`)).statusCode, 403);
        const spec = await session('spec@acme.example');
        assert.ok(
          (await call(spec, 'GET', '/console/api/queue?view=escalated'))
            .json()
            .items.some((i: { id: string }) => i.id === c.id),
          "the escalated case is in the specialists' queue",
        );
        assert.equal((await call(spec, 'POST', `/console/api/cases/${c.id}/claim`)).statusCode, 200);
      });
    });

    describe('case view', () => {
      it('returns message text verbatim as JSON text, with spans, timeline, people and media ids only', async () => {
        const hostile = '<script>alert("x")</script> dont tell your parents';
        const c = await newCase('acme', hostile);
        const mod = await session('mod1@acme.example');
        const res = await call(mod, 'GET', `/console/api/cases/${c.id}`);
        assert.equal(res.statusCode, 200, res.body);
        assert.match(String(res.headers['content-type']), /^application\/json/);
        assert.equal(res.headers['cache-control'], 'no-store');
        const view = res.json();
        const messages = view.conversations[0].messages;
        assert.equal(messages[2].text, hostile, 'the text comes back exactly as sent');
        assert.ok(res.body.includes('\\"x\\")</script>'), 'as a JSON string, not markup');
        assert.deepEqual(messages[0].spans, [
          { start: 0, end: 15, signal: 'age_probe', stage: 'risk_assessment', label: 'asks age' },
        ]);
        assert.deepEqual(
          messages[2].media,
          [{ id: `${c.accusedId}-m3.0`, kind: 'image' }],
          'no reference until revealed',
        );
        assert.ok(!res.body.includes('media://upload/123'), 'media locations are not served');
        assert.equal(view.timeline.length, 3);
        assert.deepEqual(
          view.timeline.map((p: { messageId: string }) => p.messageId),
          messages.map((m: { id: string }) => m.id),
        );
        assert.ok(
          view.timeline[2].score > view.timeline[0].score,
          `risk builds up over the conversation: ${JSON.stringify(view.timeline)}`,
        );
        assert.equal(view.children[0].age, 12);
        assert.equal(view.accused.userId, c.accusedId);
        assert.ok(Array.isArray(view.linkedAccounts), 'linked accounts are listed');
        assert.ok(view.explanation.includes('asks to move to another app'), 'the explanation names the platform move');
        assert.ok(
          view.enforcement.some((step: { action: string }) => step.action === 'disable'),
          'the enforcement ladder reaches disable',
        );
        assert.ok(view.allowedActions.includes('claim'), 'the case can be claimed');
        const read = await s.storage.listAudit('acme', { caseId: c.id, action: 'case.read', limit: 5 });
        assert.equal(read.length, 1, 'reading the evidence is logged');

        const reveal = await call(mod, 'POST', `/console/api/cases/${c.id}/media/${c.accusedId}-m3.0/reveal`);
        assert.deepEqual(reveal.json(), { ref: 'media://upload/123', kind: 'image' });
        assert.equal((await s.storage.listAudit('acme', { caseId: c.id, action: 'media.reveal', limit: 5 })).length, 1);
        const note = await call(mod, 'POST', `/console/api/cases/${c.id}/notes`, {
          note: 'checked the earlier messages',
        });
        assert.equal(note.json().audit.action, 'case.note');
      });
    });

    describe('appeals', () => {
      it('reopens the actioned case for a different moderator and records the appeal', async () => {
        const mod = await session('mod1@acme.example');
        const c = await newCase();
        await call(mod, 'POST', `/console/api/cases/${c.id}/claim`);
        assert.equal(
          (
            await call(mod, 'POST', `/console/api/cases/${c.id}/decisions`, {
              action: 'warn',
              reason: 'grooming',
              note: 'warned for secrecy requests',
              expectedVersion: 1,
            })
          ).statusCode,
          200,
        );
        const appeal = await s.call('POST', '/v1/appeals', s.keys.reviewer, {
          accountId: c.accusedId,
          text: 'I was talking to my nephew',
        });
        assert.equal(appeal.statusCode, 200, appeal.body);
        assert.equal(appeal.json().caseId, c.id);
        const appeals = (await call(mod, 'GET', '/console/api/queue?view=appeals')).json();
        const item = appeals.items.find((i: { id: string }) => i.id === c.id);
        assert.ok(item?.appeal, 'the case is in the appeals queue');
        assert.ok(item.reasons.includes('appeal'), 'the appeal is a reason');
        const own = await call(mod, 'POST', `/console/api/cases/${c.id}/claim`);
        assert.equal(own.statusCode, 403);
        assert.equal(own.json().code, 'same_reviewer');
        const other = await session('mod2@acme.example');
        assert.equal((await call(other, 'POST', `/console/api/cases/${c.id}/claim`)).statusCode, 200);
        const trail = await s.storage.listAudit('acme', { caseId: c.id, action: 'case.appeal', limit: 5 });
        assert.deepEqual(trail[0]!.actor, { system: 'trust and safety' });
        assert.equal(
          (await s.call('POST', '/v1/appeals', s.keys.reviewer, { accountId: 'never-actioned', text: 'why' }))
            .statusCode,
          404,
        );
        assert.equal(
          (await s.call('POST', '/v1/appeals', s.keys.reader, { accountId: c.accusedId, text: 'why' })).statusCode,
          403,
        );
      });
    });

    describe('staff', () => {
      it("keeps staff per tenant: another tenant's email is accepted without a word about it, and each signs in to its own", async () => {
        const admin = await session('admin@acme.example');
        const otherPassword = 'a different long password';
        const add = (email: string) =>
          call(admin, 'POST', '/console/api/staff', {
            email,
            name: 'Twin',
            role: 'moderator',
            password: otherPassword,
          });
        const taken = await add('MOD@globex.example'); // Globex's moderator
        const fresh = await add('nobody-anywhere@elsewhere.example');
        assert.equal(taken.statusCode, 201, `an email used by another tenant is accepted: ${taken.body}`);
        assert.equal(fresh.statusCode, 201, fresh.body);
        assert.deepEqual(Object.keys(taken.json().user).sort(), Object.keys(fresh.json().user).sort());
        const twin = taken.json().user.id as string;
        assert.notEqual(twin, ids['mod@globex.example'], 'a new account, not the other tenant one');
        const again = await add('mod@globex.example');
        assert.equal(again.statusCode, 409, 'twice in one tenant is still a conflict');
        assert.equal(again.json().error, 'this tenant already has a staff account with email mod@globex.example');

        const asAcme = await signIn('mod@globex.example', otherPassword, 'acme');
        assert.equal(asAcme.statusCode, 200, asAcme.body);
        assert.equal(asAcme.json().user.id, twin);
        assert.equal(asAcme.json().user.tenantId, 'acme');
        const asGlobex = await signIn('mod@globex.example', PASSWORD, 'globex');
        assert.equal(asGlobex.statusCode, 200, asGlobex.body);
        assert.equal(asGlobex.json().user.id, ids['mod@globex.example']);
        const crossed = await signIn('mod@globex.example', otherPassword, 'globex');
        assert.equal(crossed.statusCode, 401, "one tenant's password does not open the other tenant's account");
        assert.deepEqual(
          (await s.storage.listStaffUsers('globex')).map((u) => u.email),
          ['mod@globex.example'],
          "Globex's staff are unchanged",
        );

        // Without a tenant the service cannot know which account is meant; the answer is the same for a
        // shared email, a single-tenant email and an unknown one, so it tells nothing about any of them.
        const noTenant = await Promise.all(
          ['mod@globex.example', 'admin@acme.example', 'nobody-at-all@acme.example'].map((email) =>
            signIn(email, PASSWORD, null),
          ),
        );
        for (const res of noTenant) {
          assert.equal(res.statusCode, 400, res.body);
          assert.equal(res.json().code, 'tenant_required');
          assert.deepEqual(res.json(), noTenant[0]!.json());
        }
      });

      it('lets an admin create staff with a memory-hard hash, refusing short passwords and taken emails', async () => {
        const admin = await session('admin@acme.example');
        const weak = await call(admin, 'POST', '/console/api/staff', {
          email: 'new@acme.example',
          name: 'New',
          role: 'moderator',
          password: 'short',
        });
        assert.equal(weak.statusCode, 400);
        const created = await call(admin, 'POST', '/console/api/staff', {
          email: 'New@acme.example',
          name: 'New',
          role: 'moderator',
          password: PASSWORD,
        });
        assert.equal(created.statusCode, 201, created.body);
        assert.equal(created.json().user.email, 'new@acme.example');
        assert.match(
          (await s.storage.staffCredentials('acme', 'new@acme.example'))!.passwordHash,
          /^scrypt\$32768\$8\$1\$/,
        );
        assert.equal(
          (
            await call(admin, 'POST', '/console/api/staff', {
              email: 'NEW@acme.example',
              name: 'Again',
              role: 'moderator',
              password: PASSWORD,
            })
          ).statusCode,
          409,
        );
        const listed = (await call(admin, 'GET', '/console/api/staff')).json().staff;
        assert.ok(
          listed.every((u: Record<string, unknown>) => !('passwordHash' in u)),
          'no password hash is listed',
        );
        assert.ok(
          listed.every((u: { tenantId: string }) => u.tenantId === 'acme'),
          "only the tenant's own staff are listed",
        );
        assert.equal(
          (await call(admin, 'PATCH', `/console/api/staff/${admin.userId}`, { disabled: true })).statusCode,
          409,
          'an admin cannot lock themselves out',
        );
        const newUser = await session('new@acme.example');
        assert.equal(
          (await call(admin, 'PATCH', `/console/api/staff/${newUser.userId}`, { password: 'short' })).statusCode,
          400,
        );
        const reset = await call(admin, 'PATCH', `/console/api/staff/${newUser.userId}`, {
          password: 'a brand new passphrase',
        });
        assert.equal(reset.statusCode, 200, reset.body);
        assert.equal(
          (await call(newUser, 'GET', '/console/api/queue')).statusCode,
          401,
          'a password reset ends the sessions',
        );
        assert.equal((await signIn('new@acme.example', 'a brand new passphrase')).statusCode, 200);
        const entry = (await s.storage.listAudit('acme', { action: 'staff.update', limit: 1 }))[0]!;
        assert.deepEqual(entry.details, { passwordReset: true });
        assert.ok(!JSON.stringify(entry).includes('brand new'), 'the password is never logged');
        assert.equal(
          (await call(admin, 'PATCH', `/console/api/staff/${ids['mod@globex.example']}`, { disabled: true }))
            .statusCode,
          404,
        );
      });
    });
  });
}
