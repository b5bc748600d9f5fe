// Ban evasion through the HTTP API, run against both stores (banEvasion.sqlite.test.ts, banEvasion.postgres.test.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { TestStoreKind } from '@lifeguard/storage/testing';
import type { PostgresStorage, SqliteStorage, Storage } from '@lifeguard/storage';
import { startTestService, type TestService } from './helpers.ts';
import { BanEvasion } from '../src/banEvasion/banEvasion.ts';
import { DEFAULT_POLICY } from '../src/policy/policy.ts';

const DISABLED_AT = Date.UTC(2026, 10, 20, 9, 30);

/** A PDQ hash (hex) with its first `n` bits flipped: Hamming distance n from the original. */
function flipBits(hex: string, n: number): string {
  const bits = [...hex]
    .map((c) => parseInt(c, 16).toString(2).padStart(4, '0'))
    .join('')
    .split('');
  for (let i = 0; i < n; i++) bits[i * 3] = bits[i * 3] === '1' ? '0' : '1';
  let out = '';
  for (let i = 0; i < 256; i += 4) out += parseInt(bits.slice(i, i + 4).join(''), 2).toString(16);
  return out;
}
const PHOTO = '9f3c61a2e4b70d58c1f6a3e29b4d07c8e5a1f3b6d9024c7e8b1a6f3d5c9e0b27';

/** Stored identifier values of the tenant, except usernames (public, kept as skeletons), read straight from the table. */
async function storedValues(storage: Storage, tenantId: string): Promise<string[]> {
  const sql = "SELECT value FROM account_identifiers WHERE tenant_id = ? AND kind NOT LIKE 'username%'";
  if (storage.kind === 'sqlite') {
    return ((storage as SqliteStorage).db.prepare(sql).all(tenantId) as { value: string }[]).map((r) => r.value);
  }
  return (await (storage as PostgresStorage).pool.query(sql.replace('?', '$1'), [tenantId])).rows.map(
    (r: { value: string }) => r.value,
  );
}

export function banEvasionSuite(kind: TestStoreKind, skip?: string): void {
  describe(`ban evasion on ${kind}`, { skip }, () => {
    let s: TestService;
    const signup = (accountId: string, identifiers: Record<string, unknown>, key = s.keys.decide) =>
      s.call('POST', '/v1/decisions/signup', key, { accountId, identifiers });
    const putIds = (id: string, identifiers: Record<string, unknown>, key = s.keys.ingest) =>
      s.call('PUT', `/v1/accounts/${id}/identifiers`, key, identifiers);
    const ban = (id: string, body: Record<string, unknown>, key = s.keys.reviewer) =>
      s.call('POST', `/v1/accounts/${id}/bans`, key, body);

    before(async () => {
      s = await startTestService(kind);
      // An offender's account, disabled for grooming.
      const recorded = await putIds('u123', {
        email: 'Jordan.Offender+kids@gmail.com',
        phone: '+44 7700 900123',
        username: 'gr00mer_99',
        deviceIds: ['6F9619FF-8B86-D011-B42D-00C04FC964FF'],
        paymentFingerprints: ['pmfp_8c1d2e'],
        ipFingerprints: ['203.0.113.7'],
        photoPdq: [PHOTO],
      });
      assert.equal(recorded.statusCode, 200, recorded.body);
      const banned = await ban('u123', { reason: 'grooming', caseId: 'c9', actor: 'specialist-7', at: DISABLED_AT });
      assert.equal(banned.statusCode, 201, banned.body);
      assert.equal(banned.json().childSafety, true);
    });
    after(async () => {
      await s?.close();
    });

    describe('links to a banned account', () => {
      const expectLink = async (
        accountId: string,
        identifiers: Record<string, unknown>,
        kind: string,
        decision: 'block' | 'flag',
      ) => {
        const res = await signup(accountId, identifiers);
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json();
        assert.equal(body.decision, decision, JSON.stringify(body));
        assert.deepEqual(
          body.links.map((l: { kind: string; bannedAccountId: string }) => [l.kind, l.bannedAccountId]),
          [[kind, 'u123']],
        );
        assert.equal(body.links[0].action, decision);
        assert.match(body.links[0].explanation, /banned account u123 \(disabled 2026-11-20 for grooming, case c9\)/);
        assert.equal(body.reasons.length >= 1, true);
        return body;
      };

      it('blocks a new account on the same device id, in another case and with spaces', async () => {
        const body = await expectLink(
          'new-device',
          { deviceIds: [' 6f9619ff-8b86-d011-b42d-00c04fc964ff '] },
          'device_id',
          'block',
        );
        assert.equal(
          body.links[0].explanation,
          'same device id as banned account u123 (disabled 2026-11-20 for grooming, case c9)',
        );
        assert.equal(body.links[0].strength, 1);
      });

      it('gives one link per banned account and kind, however many values match', async () => {
        await putIds('u123', { deviceIds: ['6F9619FF-8B86-D011-B42D-00C04FC964FF', 'second-device'] });
        const body = (
          await signup('new-two-devices', { deviceIds: ['second-device', '6f9619ff-8b86-d011-b42d-00c04fc964ff'] })
        ).json();
        assert.deepEqual(
          body.links.map((l: { kind: string }) => l.kind),
          ['device_id'],
        );
        await putIds('u123', { deviceIds: ['6F9619FF-8B86-D011-B42D-00C04FC964FF'] });
        assert.equal(
          (await signup('new-second', { deviceIds: ['second-device'] })).json().decision,
          'allow',
          'a device id replaced by PUT no longer links',
        );
      });

      it('blocks the same Gmail mailbox written with dots, a +tag and googlemail.com', async () => {
        await expectLink('new-email', { email: 'jordanoffender+again@googlemail.com' }, 'email', 'block');
      });

      it('blocks the same phone number in national form', async () => {
        await expectLink('new-phone', { phone: '07700 900123' }, 'phone', 'block');
      });

      it('blocks the same payment fingerprint', async () => {
        await expectLink('new-payment', { paymentFingerprints: ['pmfp_8c1d2e'] }, 'payment_fingerprint', 'block');
      });

      it('only flags a shared IP fingerprint, and says why', async () => {
        const body = await expectLink('new-ip', { ipFingerprints: ['203.0.113.7'] }, 'ip_fingerprint', 'flag');
        assert.ok(
          body.reasons.some((r: string) => /schools, households/.test(r)),
          'the reason says a shared IP may be a school or household',
        );
      });

      it('flags a look-alike username (leetspeak, digits at the end)', async () => {
        const body = await expectLink('new-name', { username: 'GROOMER2024' }, 'username', 'flag');
        assert.match(body.links[0].explanation, /^username matches the username of banned account u123/);
      });

      it('flags a near-identical profile photo by PDQ distance, and not a different one', async () => {
        const body = await expectLink('new-photo', { photoPdq: [flipBits(PHOTO, 20)] }, 'photo', 'flag');
        assert.match(body.links[0].explanation, /PDQ distance 20 of 256 bits/);
        const far = await signup('new-photo-2', { photoPdq: [flipBits(PHOTO, 40)] });
        assert.equal(far.json().decision, 'allow');
      });

      it('blocks when a blocking link comes with flagging ones, listing the blocking one first', async () => {
        const res = await signup('new-many', {
          ipFingerprints: ['203.0.113.7'],
          username: 'Gr0omer',
          deviceIds: ['6F9619FF-8B86-D011-B42D-00C04FC964FF'],
        });
        const body = res.json();
        assert.equal(body.decision, 'block');
        assert.deepEqual(
          body.links.map((l: { kind: string }) => l.kind),
          ['device_id', 'username', 'ip_fingerprint'],
        );
        assert.match(body.reasons[0], /^blocks: same device id/);
      });

      it("never reveals the banned account's identifiers", async () => {
        const res = await signup('new-all', {
          email: 'jordan.offender@gmail.com',
          phone: '07700900123',
          deviceIds: ['6f9619ff-8b86-d011-b42d-00c04fc964ff'],
          photoPdq: [PHOTO],
        });
        const text = res.body.toLowerCase();
        for (const secret of [
          'jordan',
          'offender',
          '7700',
          '900123',
          '6f9619ff',
          PHOTO.slice(0, 16),
          'pmfp',
          '203.0.113',
        ])
          assert.ok(!text.includes(secret), `answer mentions ${secret}`);
        const links = await s.call('GET', '/v1/accounts/new-all/links', s.keys.reader);
        for (const secret of ['jordan', 'offender', '900123', '6f9619ff', PHOTO.slice(0, 16)])
          assert.ok(!links.body.toLowerCase().includes(secret), `links mention ${secret}`);
      });
    });

    describe('no link where there is none', () => {
      it('allows a different Gmail address that only shares a first name', async () => {
        const res = await signup('jordan-2', {
          email: 'jordan.smith@gmail.com',
          username: 'jordan_smith',
          deviceIds: ['another-device'],
        });
        assert.deepEqual(res.json(), {
          accountId: 'jordan-2',
          decision: 'allow',
          links: [],
          reasons: ['no link to an account disabled for child safety'],
        });
      });

      it('does not flag "alex2" because an "alex" was banned', async () => {
        await putIds('alex', { username: 'alex' });
        await ban('alex', { reason: 'sextortion', caseId: 'c10' });
        assert.equal((await signup('alex-2', { username: 'alex2' })).json().decision, 'allow');
        assert.equal((await signup('alex-3', { username: 'Alex_2010' })).json().decision, 'allow');
        assert.equal(
          (await signup('alex-4', { username: 'alex' })).json().decision,
          'flag',
          'the very same name does flag',
        );
      });

      it('ignores bans for reasons other than child safety', async () => {
        await putIds('spammer', { deviceIds: ['spam-device'], email: 'spam@example.com' });
        const res = await ban('spammer', { reason: 'spam' });
        assert.equal(res.statusCode, 201);
        assert.equal(res.json().childSafety, false);
        assert.equal(
          (await signup('spammer-2', { deviceIds: ['spam-device'], email: 'spam@example.com' })).json().decision,
          'allow',
        );
      });

      it('stops linking to an account once its ban is lifted, and says 404 when there is nothing to lift', async () => {
        await putIds('appealed', { deviceIds: ['appeal-device'] });
        await ban('appealed', { reason: 'grooming', caseId: 'c11' });
        assert.equal((await signup('appeal-new-1', { deviceIds: ['appeal-device'] })).json().decision, 'block');
        const lifted = await s.call('DELETE', '/v1/accounts/appealed/bans', s.keys.reviewer, {
          note: 'appeal upheld: wrong account',
        });
        assert.equal(lifted.statusCode, 200, lifted.body);
        assert.equal(lifted.json().lifted, 1);
        assert.equal((await signup('appeal-new-2', { deviceIds: ['appeal-device'] })).json().decision, 'allow');
        const again = await s.call('DELETE', '/v1/accounts/appealed/bans', s.keys.reviewer);
        assert.equal(again.statusCode, 404);
        const bans = (await s.call('GET', '/v1/accounts/appealed/links', s.keys.reader)).json().bans;
        assert.equal(bans[0].liftNote, 'appeal upheld: wrong account');
        assert.equal(bans[0].liftedBy, 'trust and safety');
      });

      it("never links to another tenant's banned accounts", async () => {
        const other = s.keys.otherAdmin;
        assert.equal(
          (await putIds('g-offender', { deviceIds: ['globex-device'], email: 'shared.person@gmail.com' }, other))
            .statusCode,
          200,
        );
        assert.equal((await ban('g-offender', { reason: 'grooming' }, other)).statusCode, 201);
        assert.equal(
          (await signup('globex-copy', { deviceIds: ['globex-device'], email: 'sharedperson@gmail.com' })).json()
            .decision,
          'allow',
          'acme does not see globex bans',
        );
        assert.equal(
          (await signup('g-new', { deviceIds: ['globex-device'] }, other)).json().decision,
          'block',
          'globex does',
        );
        assert.equal(
          (await signup('g-new-2', { deviceIds: ['6F9619FF-8B86-D011-B42D-00C04FC964FF'] }, other)).json().decision,
          'allow',
          'and globex does not see acme bans',
        );
      });
    });

    describe('records and explains', () => {
      it("records the new account's identifiers, so banning it later links the next account", async () => {
        assert.equal((await signup('chain-1', { deviceIds: ['chain-device'] })).json().decision, 'allow');
        await ban('chain-1', { reason: 'known_image', caseId: 'c12' });
        const next = (await signup('chain-2', { deviceIds: ['chain-device'] })).json();
        assert.equal(next.decision, 'block');
        assert.equal(next.links[0].bannedAccountId, 'chain-1');
        assert.match(next.links[0].explanation, /for known image, case c12/);
      });

      it("shows a banned account's linked accounts with each link explained (the case view)", async () => {
        const res = await s.call('GET', '/v1/accounts/u123/links', s.keys.reader);
        assert.equal(res.statusCode, 200);
        const body = res.json();
        assert.equal(body.bans[0].reason, 'grooming');
        const byId = new Map(body.linkedAccounts.map((a: { userId: string }) => [a.userId, a]));
        const device = byId.get('new-device') as { banned: boolean; links: { kind: string; explanation: string }[] };
        assert.equal(device.banned, false);
        assert.deepEqual(device.links, [{ kind: 'device_id', explanation: 'same device id as account new-device' }]);
        for (const id of ['new-name', 'new-email', 'new-phone', 'new-payment', 'new-ip']) assert.ok(byId.has(id), id);
        assert.equal(
          (byId.get('new-all') as { links: { kind: string }[] }).links.some((l) => l.kind === 'photo'),
          true,
          'the identical photo',
        );
        assert.ok(!byId.has('jordan-2') && !byId.has('u123'), 'accounts with no link are not shown');
        const fromNew = await s.app.lifeguard.banEvasion.linkedAccounts('acme', 'new-many');
        assert.equal(fromNew[0]!.userId, 'u123', 'banned accounts first');
        assert.equal(fromNew[0]!.banned, true);
        assert.match(
          fromNew[0]!.links[0]!.explanation,
          /^same device id as banned account u123 \(disabled 2026-11-20 for grooming, case c9\)$/,
        );
      });

      it('records a repeated ban once', async () => {
        const first = (await ban('twice', { reason: 'grooming', caseId: 'c13' })).json().ban;
        const second = (await ban('twice', { reason: 'grooming', caseId: 'c13' })).json().ban;
        assert.equal(first.id, second.id);
        assert.equal((await s.call('GET', '/v1/accounts/twice/links', s.keys.reader)).json().bans.length, 1);
      });

      it('stores exact identifiers only as keyed hashes, never in clear or merely normalised', async () => {
        const values = await storedValues(s.storage, 'acme');
        assert.ok(values.length > 10, 'the store holds values to look through');
        // A 64-hex HMAC (or PDQ hash) is random hex that may hold a digit run like "7700" by chance (and
        // cannot hold a clear name, address or normalised "+44..." phone), so fragments are looked for elsewhere.
        const hashed = values.filter((v) => /^[0-9a-f]{64}$/.test(v));
        const others = values.filter((v) => !hashed.includes(v));
        for (const clear of [
          'jordan',
          'offender',
          '447700900123',
          '7700',
          '6f9619ff',
          'pmfp_8c1d2e',
          '203.0.113.7',
          'spam@example.com',
          'appeal-device',
          'chain-device',
        ]) {
          assert.ok(!others.some((v) => v.toLowerCase().includes(clear)), `${clear} is stored in clear`);
        }
        assert.ok(
          hashed.length >= 7,
          'emails, phones, devices, payments and IPs are 64-hex HMACs (photos are PDQ hex)',
        );
        // Same device in two tenants: different secrets, different stored values.
        const globex = await storedValues(s.storage, 'globex');
        assert.ok(
          !globex.some((v) => values.includes(v) && /^[0-9a-f]{64}$/.test(v) && v !== PHOTO),
          'tenants hash with different secrets',
        );
      });

      it('follows the policy: an IP link can be made to block, and a very common name does not link', async () => {
        const policy = DEFAULT_POLICY.banEvasion;
        const strict = new BanEvasion(s.storage, {
          ...policy,
          links: { ...policy.links, ip_fingerprint: 'block' },
          username: { ...policy.username, commonAt: 3 },
        });
        assert.equal(
          (await strict.checkSignup('acme', 'strict-1', { ipFingerprints: ['203.0.113.7'] })).decision,
          'block',
        );
        await strict.recordIdentifiers('acme', 'banned-jess', { username: 'jessica_rose' });
        await strict.recordBan('acme', 'banned-jess', { reason: 'grooming', actor: 'test' });
        assert.equal((await strict.checkSignup('acme', 'jess-1', { username: 'jessicarose2011' })).decision, 'flag');
        await strict.recordIdentifiers('acme', 'jess-2', { username: 'Jessica.Rose' });
        assert.equal(
          (await strict.checkSignup('acme', 'jess-3', { username: 'jessica_rose_x' })).decision,
          'allow',
          'three accounts share the banned skeleton: too common to mean anything',
        );
        const off = new BanEvasion(s.storage, { ...policy, links: { ...policy.links, device_id: 'ignore' } });
        assert.equal(
          (await off.checkSignup('acme', 'off-1', { deviceIds: ['6F9619FF-8B86-D011-B42D-00C04FC964FF'] })).decision,
          'allow',
        );
      });
    });

    describe('bad input', () => {
      // biome-ignore lint/suspicious/noExplicitAny: tests read JSON answers loosely and check their shape by assertion
      const problems = async (res: Promise<{ statusCode: number; json(): any }>) => {
        const r = await res;
        assert.equal(r.statusCode, 400, JSON.stringify(r.json()));
        assert.equal(r.json().code, 'invalid_request');
        return r.json().problems as string[];
      };

      it('names the bad field of a sign-up request', async () => {
        assert.match(
          (await problems(signup('x', { email: 'not-an-email' })))[0]!,
          /^identifiers\.email: must be an email address/,
        );
        assert.match((await problems(signup('x', { phone: 'call me maybe' })))[0]!, /^identifiers\.phone: /);
        assert.match(
          (await problems(signup('x', { photoPdq: ['zz'] })))[0]!,
          /^identifiers\.photoPdq\[0\]: must be a PDQ hash/,
        );
        assert.match(
          (await problems(signup('x', { deviceIds: Array.from({ length: 21 }, (_, i) => `d${i}`) })))[0]!,
          /^identifiers\.deviceIds: must hold at most 20 values/,
        );
        assert.match(
          (await problems(signup('x', { username: 'a'.repeat(65) })))[0]!,
          /^identifiers\.username: must be at most 64 characters/,
        );
        assert.match(
          (await problems(signup('x', { deviceIds: ['  '] })))[0]!,
          /^identifiers\.deviceIds\[0\]: must not be blank/,
        );
        assert.match(
          (await problems(signup('x', { password: 'hunter2' })))[0]!,
          /^identifiers\.password: unknown field/,
        );
        assert.match((await problems(signup('x', {})))[0]!, /^identifiers: must name at least one identifier/);
        assert.match(
          (
            await problems(s.call('POST', '/v1/decisions/signup', s.keys.decide, { identifiers: { email: 'a@b.co' } }))
          )[0]!,
          /^accountId: required field is missing/,
        );
        assert.match((await problems(signup('', { email: 'a@b.co' })))[0]!, /^accountId: must not be empty/);
      });

      it('names the bad field of identifiers, bans and lifts', async () => {
        assert.match((await problems(putIds('x', { email: 42 })))[0]!, /^email: /);
        assert.match((await problems(putIds('x', { username: '___' })))[0]!, /^username: has no letters or digits/);
        assert.match((await problems(ban('x', { reason: 'Grooming!' })))[0]!, /^reason: must be lower-case letters/);
        assert.match((await problems(ban('x', { reason: 'grooming', at: 'yesterday' })))[0]!, /^at: /);
        assert.match(
          (await problems(s.call('DELETE', '/v1/accounts/x/bans', s.keys.reviewer, { note: 'n'.repeat(2001) })))[0]!,
          /^note: must be at most 2000 characters/,
        );
      });

      it('needs the right scope for each endpoint', async () => {
        assert.equal((await signup('x', { email: 'a@b.co' }, s.keys.ingest)).statusCode, 403);
        assert.equal((await putIds('x', { email: 'a@b.co' }, s.keys.decide)).statusCode, 403);
        assert.equal((await ban('x', { reason: 'grooming' }, s.keys.ingest)).statusCode, 403);
        assert.equal((await s.call('DELETE', '/v1/accounts/x/bans', s.keys.reader)).statusCode, 403);
        assert.equal((await s.call('GET', '/v1/accounts/x/links', s.keys.decide)).statusCode, 403);
      });
    });
  });
}
