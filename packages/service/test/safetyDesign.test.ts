// Safety by design for child accounts over HTTP: the defaults answer with reasons and sources per
// jurisdiction, the group-invite and location-share decisions, and decisions in the child's language.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startTestService, NOW, type TestService } from './helpers.ts';

describe('safety by design for child accounts', () => {
  let s: TestService;
  const decide = (path: string, body: unknown) => s.call('POST', `/v1/decisions/${path}`, s.keys.decide, body);
  before(async () => {
    s = await startTestService('sqlite');
    const t = NOW();
    const res = await s.ingest([
      { type: 'account', id: 'a1', time: t, userId: 'lena', age: 14, country: 'DE', locale: 'de' },
      { type: 'account', id: 'a2', time: t, userId: 'maya', age: 13, country: 'GB' },
      { type: 'account', id: 'a3', time: t, userId: 'rick', age: 34, country: 'GB' },
      { type: 'account', id: 'a4', time: t, userId: 'mum', age: 45, country: 'GB' },
      { type: 'account', id: 'a5', time: t, userId: 'ola', age: 12, country: 'PL', locale: 'xx-unknown' },
      { type: 'account', id: 'a6', time: t, userId: 'jan', age: 40, country: 'PL' },
      { type: 'contact', id: 'c1', time: t, action: 'friend_accept', actorId: 'maya', targetId: 'mum' },
      { type: 'contact', id: 'c2', time: t, action: 'friend_accept', actorId: 'maya', targetId: 'lena' },
    ]);
    assert.equal(res.statusCode, 200, res.body);
  });
  after(async () => {
    await s?.close();
  });

  it('answers the defaults for a child with a reason and the rule source for each, per jurisdiction', async () => {
    const uk = (await decide('defaults', { userId: 'maya' })).json();
    assert.equal(uk.isChild, true, 'maya is a child');
    assert.deepEqual(
      uk.defaults.map((d: { setting: string }) => d.setting),
      [
        'profile_private',
        'not_discoverable',
        'connection_list_hidden',
        'precise_location_off',
        'location_not_offered_to_strangers',
        'stranger_messages_off',
      ],
    );
    assert.ok(
      uk.defaults.every((d: { on: boolean; source: string }) => d.on && /Ofcom.*ICU F1/.test(d.source)),
      'UK defaults cite Ofcom ICU F1',
    );
    const de = (await decide('defaults', { userId: 'lena' })).json();
    assert.ok(
      de.defaults.every((d: { source: string }) => /Article 28/.test(d.source)),
      'EU defaults cite Article 28',
    );
    assert.match(de.defaults[0].reason, /Dein Profil ist privat/, 'in German for a German child');
    const newAccount = (await decide('defaults', { userId: 'brand-new', age: 15, country: 'FR' })).json();
    assert.deepEqual(
      [newAccount.isChild, newAccount.profile, newAccount.locale.used, newAccount.locale.fallback],
      [true, 'eu', 'fr', 'country'],
      'a new account from the request: EU, French from its country',
    );
    const adult = (await decide('defaults', { userId: 'rick' })).json();
    assert.deepEqual(
      [adult.isChild, adult.defaults.length, adult.reasons[0].code],
      [false, 0, 'adult_account'],
      'no child defaults for an adult',
    );
    const bad = await decide('defaults', { userId: 'x', age: -3, country: 'Germany' });
    assert.equal(bad.statusCode, 400, 'bad input refused');
    assert.equal(bad.json().problems.length, 2, `each bad field named: ${bad.body}`);
  });

  it('adds a child to a group only with consent and never at the hand of an unconnected adult', async () => {
    const stranger = (
      await decide('group-invite', { inviterId: 'rick', inviteeId: 'maya', inviteeConsented: true })
    ).json();
    assert.deepEqual(
      [stranger.decision, stranger.reasons[0].code],
      ['block', 'unconnected_adult'],
      'consent does not let a stranger adult in',
    );
    const noConsent = (
      await decide('group-invite', { inviterId: 'mum', inviteeId: 'maya', inviteeConsented: false })
    ).json();
    assert.deepEqual(
      [noConsent.decision, noConsent.reasons[0].code, noConsent.nudges[0].code],
      ['hold', 'consent_required', 'group_consent'],
      'a connected adult must ask first',
    );
    const consented = (
      await decide('group-invite', { inviterId: 'lena', inviteeId: 'maya', inviteeConsented: true })
    ).json();
    assert.deepEqual([consented.decision, consented.reasons[0].code], ['allow', 'consented'], 'with consent');
    const adult = (
      await decide('group-invite', { inviterId: 'maya', inviteeId: 'rick', inviteeConsented: false })
    ).json();
    assert.equal(adult.decision, 'allow', 'inviting an adult is not restricted');
    assert.equal(
      (await decide('group-invite', { inviterId: 'rick', inviteeId: 'maya' })).statusCode,
      400,
      'consent must be stated',
    );
  });

  it("refuses to share a child's location with non-connections and tells the child why, in the child's language", async () => {
    const mixed = (await decide('location-share', { userId: 'maya', viewerIds: ['mum', 'rick', 'lena'] })).json();
    assert.equal(mixed.decision, 'allow_with_warning', 'shared with some');
    assert.deepEqual(
      mixed.results.map((r: { viewerId: string; allowed: boolean }) => [r.viewerId, r.allowed]),
      [
        ['mum', true],
        ['rick', false],
        ['lena', true],
      ],
    );
    assert.match(mixed.nudges[0].text, /not shared with 1 account because you are not connected/, 'the child is told');
    const polish = (await decide('location-share', { userId: 'ola', viewerIds: ['jan', 'rick'] })).json();
    assert.equal(polish.decision, 'block', 'no connection at all');
    assert.match(polish.nudges[0].text, /nie została udostępniona 2 kontom/, 'in Polish, with the right plural');
    assert.deepEqual(
      [polish.locale.requested, polish.locale.used, polish.locale.fallback],
      ['xx-unknown', 'pl', 'country'],
      'the unknown locale falls back and says so',
    );
    assert.equal(
      (await decide('location-share', { userId: 'maya', viewerIds: [] })).statusCode,
      400,
      'an empty list is refused',
    );
  });

  it('speaks to a German child in German in contact and message decisions, and says which locale it used', async () => {
    const res = (await decide('message', { senderId: 'rick', recipientId: 'lena', text: 'hi' })).json();
    assert.equal(res.decision, 'block', res);
    assert.match(res.reasons[0].message, /Direktnachrichten an ein Kinderkonto/, 'reason in German');
    assert.match(
      res.nudges[0].text,
      /This account only receives messages/,
      "the adult sender's nudge in the sender's language (English)",
    );
    assert.deepEqual([res.locale.used, res.locale.fallback], ['de', 'none'], 'German, as the account event said');
    const friend = (
      await decide('message', {
        senderId: 'maya',
        recipientId: 'lena',
        text: 'lets move to another app, add me on snap',
      })
    ).json();
    assert.ok(
      friend.nudges.some(
        (n: { code: string; text: string; help?: { phone?: string }[] }) =>
          n.code === 'platform_move' && /andere App/.test(n.text),
      ),
      'the prompt in German',
    );
    const uk = (
      await decide('message', {
        senderId: 'lena',
        recipientId: 'maya',
        text: 'can you keep a secret, dont tell your parents',
      })
    ).json();
    assert.ok(
      uk.nudges.some((n: { help?: { phone?: string }[] }) => n.help?.some((h) => h.phone === '0800 1111')),
      'a UK child is offered Childline',
    );
    assert.equal(uk.locale.fallback, 'country', 'no locale on the account: the country decides');
  });
});
