// The storage contract for FamilyStore (src/types.ts; migrations 8 and 11), as tests; both stores run it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { LifeguardEvent } from '@lifeguard/core';
import { ConflictError, type Storage } from '../../src/index.ts';
import { type StoreFixture, openWithTwoTenants } from './fixtures.ts';

const DAY = 86_400_000;
const T0 = Date.UTC(2026, 2, 10, 12);

const msg = (id: string, senderId: string, recipientIds: string[], time: number, text = 'hello'): LifeguardEvent => ({
  type: 'message',
  id,
  time,
  conversationId: `c-${[senderId, ...recipientIds].sort().join('-')}`,
  senderId,
  recipientIds,
  text,
});

export function familyContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  describe(`storage contract, Family Centre: ${name}`, { skip }, () => {
    let s: Storage;
    openWithTwoTenants(open, (t) => {
      s = t.storage;
    });

    it('keeps the locale of the newest account event that carried one', async () => {
      await s.appendEvents(
        'acme',
        [
          { type: 'account', id: 'a1', time: T0, userId: 'teen', age: 14, country: 'DE', locale: 'de' },
          { type: 'account', id: 'a2', time: T0 - 1000, userId: 'teen', locale: 'fr' },
          { type: 'account', id: 'a3', time: T0 + 1000, userId: 'teen', age: 14 },
        ],
        T0,
      );
      assert.equal(
        (await s.getAccount('acme', 'teen'))?.locale,
        'de',
        'an older event and one without a locale leave "de" in place',
      );
      await s.appendEvents('acme', [{ type: 'account', id: 'a4', time: T0 + 2000, userId: 'teen', locale: 'pl' }], T0);
      assert.equal((await s.getAccount('acme', 'teen'))?.locale, 'pl', 'a newer locale replaces it');
    });

    it("counts who a linked teen exchanged messages with per day, skipping duplicates, and nobody else's", async () => {
      await s.appendEvents('acme', [msg('m0', 'teen', ['amy'], T0 - 4 * DAY)], T0); // before any link: not counted
      await s.createFamilyLink('acme', {
        parentId: 'dad',
        teenId: 'teen',
        status: 'pending',
        basis: 'consent',
        createdAt: T0,
        acceptedAt: null,
        endedAt: null,
        endedBy: null,
      });
      await s.appendEvents(
        'acme',
        [
          msg('m1', 'teen', ['amy'], T0 - 3 * DAY),
          msg('m2', 'amy', ['teen'], T0 - 3 * DAY + 60_000),
          msg('m3', 'bob', ['teen', 'amy'], T0 - DAY, 'teen and amy, see you'),
          msg('m3', 'bob', ['teen', 'amy'], T0 - DAY),
          msg('m4', 'old', ['teen'], T0 - 10 * DAY),
        ],
        T0,
      );
      const contacts = await s.messageContacts('acme', 'teen', T0 - 7 * DAY);
      assert.deepEqual(
        contacts,
        [
          { userId: 'bob', messages: 1, lastAt: T0 - DAY },
          { userId: 'amy', messages: 2, lastAt: T0 - 3 * DAY + 60_000 },
        ],
        'bob (newest) then amy; the message from 10 days ago is outside the window; m3 counted once; m0 came before the link',
      );
      assert.deepEqual(
        await s.messageContacts('acme', 'amy', 0),
        [],
        'an account without a family link has no contact rows',
      );
      assert.deepEqual(
        await s.messageContactsWith('acme', 'bob', T0 - 7 * DAY),
        ['teen'],
        'the linked teens bob exchanged messages with',
      );
      assert.deepEqual(await s.messageContacts('globex', 'teen', 0), [], 'another tenant sees nothing');
    });

    it('keeps eight day slots per pair: a later day takes a slot over, a much older late arrival does not count', async () => {
      await s.createFamilyLink('acme', {
        parentId: 'dad',
        teenId: 'kid',
        status: 'active',
        basis: 'consent',
        createdAt: T0,
        acceptedAt: T0,
        endedAt: null,
        endedBy: null,
      });
      // One batch spanning 9 days: day 0 and day 8 share a slot, the newer wins.
      await s.appendEvents(
        'acme',
        [msg('r1', 'kid', ['zed'], T0 - 8 * DAY), msg('r2', 'zed', ['kid'], T0), msg('r3', 'kid', ['zed'], T0 + 1000)],
        T0,
      );
      const week = await s.messageContacts('acme', 'kid', T0 - 6 * DAY);
      assert.deepEqual(
        week,
        [{ userId: 'zed', messages: 2, lastAt: T0 + 1000 }],
        'the two messages of the window; the 8-day-old one fell out',
      );
      await s.appendEvents('acme', [msg('r4', 'zed', ['kid'], T0 - 16 * DAY)], T0);
      assert.deepEqual(
        await s.messageContacts('acme', 'kid', T0 - 6 * DAY),
        week,
        'a late message from 16 days ago changes nothing in the window',
      );
      await s.appendEvents('acme', [msg('r5', 'zed', ['kid'], T0 - 2 * DAY)], T0);
      assert.equal(
        (await s.messageContacts('acme', 'kid', T0 - 6 * DAY))[0]?.messages,
        3,
        'a late message inside the window counts',
      );
    });

    it('prunes contact days and warnings older than the cut-off', async () => {
      await s.recordSafetyWarnings('acme', [
        { userId: 'teen', kind: 'platform_move', counterpartId: 'bob', at: T0 - DAY },
        { userId: 'teen', kind: 'photo_request', counterpartId: null, at: T0 - 9 * DAY },
      ]);
      assert.deepEqual(
        (await s.safetyWarnings('acme', 'teen', T0 - 7 * DAY, 10)).map((w) => [w.kind, w.counterpartId]),
        [['platform_move', 'bob']],
        'only the warning within the window',
      );
      const pruned = await s.pruneFamilyMetadata('acme', T0 - 8 * DAY);
      assert.equal(pruned.warnings, 1, 'one old warning removed');
      assert.equal(pruned.contactPairs, 1, "the linked teen's pair with nothing newer than 10 days (old) is removed");
      assert.deepEqual(
        (await s.messageContacts('acme', 'teen', 0)).map((c) => c.userId).sort(),
        ['amy', 'bob'],
        'recent contacts stay',
      );
    });

    it('lists current connections with the time each was made, newest first', async () => {
      await s.appendEvents(
        'acme',
        [
          { type: 'contact', id: 'f1', time: T0 - 20 * DAY, action: 'friend_accept', actorId: 'amy', targetId: 'teen' },
          { type: 'contact', id: 'f2', time: T0 - DAY, action: 'friend_accept', actorId: 'teen', targetId: 'zed' },
          { type: 'contact', id: 'f3', time: T0 - 2 * DAY, action: 'friend_accept', actorId: 'teen', targetId: 'gone' },
          { type: 'contact', id: 'f4', time: T0 - DAY / 2, action: 'unfriend', actorId: 'teen', targetId: 'gone' },
        ],
        T0,
      );
      assert.deepEqual(await s.connectionsSince('acme', 'teen', 10), [
        { userId: 'zed', since: T0 - DAY },
        { userId: 'amy', since: T0 - 20 * DAY },
      ]);
    });

    it('creates a link once, refuses a second live one, and moves it only from the expected status', async () => {
      const link = await s.createFamilyLink('acme', {
        parentId: 'mum',
        teenId: 'teen',
        status: 'pending',
        basis: 'consent',
        createdAt: T0,
        acceptedAt: null,
        endedAt: null,
        endedBy: null,
      });
      assert.match(link.id, /^link_/, 'ids start with link_');
      await assert.rejects(
        s.createFamilyLink('acme', {
          parentId: 'mum',
          teenId: 'teen',
          status: 'pending',
          basis: 'consent',
          createdAt: T0 + 1,
          acceptedAt: null,
          endedAt: null,
          endedBy: null,
        }),
        (err: Error) => err instanceof ConflictError || err.name === 'ConflictError',
        'a duplicate live link is a ConflictError',
      );
      assert.equal(await s.getFamilyLink('globex', link.id), null, 'another tenant cannot read the link');
      const accepted = await s.transitionFamilyLink('acme', link.id, ['pending'], {
        status: 'active',
        at: T0 + 5,
        by: 'teen',
      });
      assert.equal(accepted?.status, 'active', 'accepted');
      assert.equal(accepted?.acceptedAt, T0 + 5, 'acceptedAt set');
      assert.equal(
        await s.transitionFamilyLink('acme', link.id, ['pending'], { status: 'active', at: T0 + 6, by: 'teen' }),
        null,
        'accepting twice does nothing',
      );
      assert.deepEqual(
        (await s.activeLinksForTeens('acme', ['teen', 'nobody'])).map((l) => l.id),
        [link.id],
        'the active link is found by its teen',
      );
      const ended = await s.transitionFamilyLink('acme', link.id, ['pending', 'active'], {
        status: 'ended',
        at: T0 + 9,
        by: 'mum',
      });
      assert.deepEqual(
        [ended?.status, ended?.endedAt, ended?.endedBy, ended?.acceptedAt],
        ['ended', T0 + 9, 'mum', T0 + 5],
        'ended keeps acceptedAt',
      );
      const again = await s.createFamilyLink('acme', {
        parentId: 'mum',
        teenId: 'teen',
        status: 'pending',
        basis: 'consent',
        createdAt: T0 + 10,
        acceptedAt: null,
        endedAt: null,
        endedBy: null,
      });
      assert.deepEqual(
        (await s.listFamilyLinks('acme', 'teen')).filter((l) => l.parentId === 'mum').map((l) => l.id),
        [again.id, link.id],
        'after ending, a new invitation is allowed; newest first',
      );
      assert.deepEqual(
        (await s.listFamilyLinks('acme', 'mum')).map((l) => l.id),
        [again.id, link.id],
        'the parent sees the same links',
      );
    });

    it('stores reported settings and returns the previous ones', async () => {
      assert.equal(
        await s.putAccountSettings('acme', 'teen', { profilePrivate: true }, T0),
        null,
        'no previous settings',
      );
      assert.deepEqual(
        await s.putAccountSettings('acme', 'teen', { profilePrivate: false }, T0 + 1),
        { profilePrivate: true },
        'previous settings returned',
      );
      assert.deepEqual(await s.accountSettings('acme', 'teen'), {
        settings: { profilePrivate: false },
        updatedAt: T0 + 1,
      });
      assert.equal(await s.accountSettings('globex', 'teen'), null, 'per tenant');
    });

    it('stores display names per tenant, the last of one account winning, and removes them on null', async () => {
      await s.putDisplayNames(
        'acme',
        [
          { userId: 'teen', name: 'Maya' },
          { userId: 'pal', name: 'Sam' },
          { userId: 'pal', name: 'Sam O.' },
        ],
        T0,
      );
      await s.putDisplayNames('globex', [{ userId: 'teen', name: 'Someone else' }], T0);
      assert.deepEqual(
        Object.fromEntries(await s.displayNames('acme', ['teen', 'pal', 'nobody'])),
        { teen: 'Maya', pal: 'Sam O.' },
        'the names asked for that exist, the last one of an account',
      );
      assert.deepEqual(await s.displayNames('acme', []), new Map(), 'nothing asked, nothing read');
      await s.putDisplayNames('acme', [{ userId: 'teen', name: null }], T0 + 1);
      assert.deepEqual(
        Object.fromEntries(await s.displayNames('acme', ['teen', 'pal'])),
        { pal: 'Sam O.' },
        'a null name removes it',
      );
      assert.deepEqual(
        Object.fromEntries(await s.displayNames('globex', ['teen', 'pal'])),
        { teen: 'Someone else' },
        "another tenant's names stay apart",
      );
    });
  });
}
