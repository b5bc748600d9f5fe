// The on-device guard as an app uses it: the messages of one child's conversations go in, a warning
// for the child comes out with the reasons in plain words, state survives a restart through the
// app's own storage, and the signal an app may send to its server carries no text and no ids.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  EventValidationError,
  GuardStateError,
  OnDeviceGuard,
  privacySignalSchema,
  type DeviceMessage,
} from '../on-device/index.ts';

const T0 = Date.parse('2026-03-01T19:00:00Z');
const ADULT_LINES = [
  'hey saw ur drawing in the art group, ur really talented',
  'how old r u?',
  'im 34 but age is just a number right. ur so mature for 13',
  'do ur parents check ur phone?',
  'lets keep this between us ok? delete our chat',
  'add me on snap its easier to talk there',
  'send me a pic of u so i know ur real',
  'we could meet at the mall saturday, i can pick u up',
];
const CHILD_LINES = ['thanks :) who r u', '13', 'sometimes my mom does', 'ok', 'idk', 'maybe', 'hmm', 'idk'];

/** The grooming chat between rick (an adult) and mia (13), as mia's phone sees it. */
function groomingChat(): DeviceMessage[] {
  return ADULT_LINES.flatMap((text, i) => [
    { id: `r${i}`, conversationId: 'dm-rick', senderId: 'rick', recipientIds: ['mia'], text, time: T0 + i * 120_000 },
    {
      id: `m${i}`,
      conversationId: 'dm-rick',
      senderId: 'mia',
      recipientIds: ['rick'],
      text: CHILD_LINES[i] ?? 'ok',
      time: T0 + i * 120_000 + 60_000,
    },
  ]);
}

const FRIEND_CHAT: DeviceMessage[] = [
  {
    id: 'f1',
    conversationId: 'dm-zoe',
    senderId: 'zoe',
    recipientIds: ['mia'],
    text: 'omg did u finish the science worksheet',
    time: T0,
  },
  {
    id: 'f2',
    conversationId: 'dm-zoe',
    senderId: 'mia',
    recipientIds: ['zoe'],
    text: 'nope lol, see u at practice tmrw',
    time: T0 + 60_000,
  },
  {
    id: 'f3',
    conversationId: 'dm-zoe',
    senderId: 'zoe',
    recipientIds: ['mia'],
    text: 'coach said bring ur own water',
    time: T0 + 120_000,
  },
];

describe('OnDeviceGuard', () => {
  it('warns the child in a grooming chat once, with plain-words reasons pointing at the messages', () => {
    const guard = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
    const updates = groomingChat().map((m) => guard.observe(m));
    const last = updates.at(-1);
    assert.ok(last?.warning, `expected a warning after the whole chat, got level ${last?.level}`);
    assert.equal(last.warning.aboutUserId, 'rick', 'the warning is about the adult');
    const kinds = last.warning.reasons.map((r) => r.kind);
    for (const kind of ['secrecy', 'platform_move', 'image_request', 'meeting'])
      assert.ok(kinds.includes(kind as never), `expected reason ${kind} among ${kinds.join(', ')}`);
    assert.ok(
      last.warning.reasons.every((r) => r.messageIds.every((id) => id.startsWith('r'))),
      "reasons point only at the adult's messages",
    );
    assert.ok(last.warning.advice.length > 0 && last.warning.title.length > 0, 'a title and advice for the child');
    const announced = updates.filter((u) => u.isNew).map((u) => u.level);
    assert.ok(
      announced.length >= 1 && announced.length <= 3,
      `isNew only when the level rises, got ${announced.join(', ')}`,
    );
    assert.deepEqual([...announced].sort(), [...new Set(announced)].sort(), 'each level is announced at most once');
  });

  it('gives no warning in an ordinary chat between friends', () => {
    const guard = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
    for (const m of FRIEND_CHAT) {
      const u = guard.observe(m);
      assert.equal(u.warning, null, `no warning expected after ${m.id}, got level ${u.level}`);
    }
    assert.equal(guard.signal('dm-zoe'), null, 'no signal for a chat without risk');
  });

  it('does not warn the device owner about themselves', () => {
    const guard = new OnDeviceGuard({ childId: 'rick' });
    for (const m of groomingChat()) guard.observe(m);
    assert.equal(guard.warning('dm-rick'), null, 'the account the risk comes from gets no child warning');
    assert.equal(guard.signal('dm-rick'), null, 'nor a signal');
  });

  it('counts a message fed twice once', () => {
    const guard = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
    const chat = groomingChat();
    for (const m of chat) guard.observe(m);
    const before = JSON.stringify(guard.saveState().engine);
    const again = guard.observe(chat[4] as DeviceMessage);
    assert.equal(again.duplicate, true, 'the repeat is reported as a duplicate');
    assert.equal(again.isNew, false, 'a repeat never announces a warning');
    assert.equal(JSON.stringify(guard.saveState().engine), before, 'the engine state is unchanged by the repeat');
  });

  it('refuses a malformed message, naming the field, and keeps what it had', () => {
    const guard = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
    for (const m of groomingChat().slice(0, 6)) guard.observe(m);
    const level = guard.observe({ id: 'x', conversationId: 'dm-rick', senderId: 'rick', text: 'hi' }).level;
    assert.throws(
      () => guard.observe({ id: 'bad', conversationId: '', senderId: 'rick', text: 'hi' }),
      (e: unknown) => e instanceof EventValidationError && /conversationId/.test(e.message),
      'an empty conversation id is named',
    );
    assert.throws(
      () => guard.observe({ id: 'bad2', conversationId: 'dm-rick', senderId: 'rick', text: 'x'.repeat(20_001) }),
      (e: unknown) => e instanceof EventValidationError && /text/.test(e.message),
      'an oversized text is named',
    );
    assert.throws(() => guard.observe(null as never), EventValidationError, 'null is refused');
    assert.equal(
      guard.observe({ id: 'y', conversationId: 'dm-rick', senderId: 'mia', text: 'ok' }).level,
      level,
      'the conversation keeps its level',
    );
  });

  it('carries on after saving and restoring exactly as if it had never stopped', () => {
    const chat = groomingChat();
    const whole = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
    for (const m of chat) whole.observe(m);
    const first = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
    for (const m of chat.slice(0, 7)) first.observe(m);
    const stored = JSON.stringify(first.saveState());
    const resumed = OnDeviceGuard.restore(stored);
    for (const m of chat.slice(7)) resumed.observe(m);
    assert.deepEqual(resumed.warning('dm-rick'), whole.warning('dm-rick'), 'the same warning as without the restart');
    assert.equal(
      resumed.observe(chat[0] as DeviceMessage).duplicate,
      true,
      'messages seen before the restart are still recognised',
    );
  });

  it('refuses corrupt or foreign state with the field named', () => {
    const good = new OnDeviceGuard({ childId: 'mia' }).saveState();
    assert.throws(
      () => OnDeviceGuard.restore('{not json'),
      (e: unknown) => e instanceof GuardStateError && /not JSON/.test(e.message),
      'text that is not JSON',
    );
    assert.throws(
      () => OnDeviceGuard.restore({ ...good, format: 'other' }),
      (e: unknown) => e instanceof GuardStateError && /format/.test(e.message),
      'another format',
    );
    assert.throws(
      () => OnDeviceGuard.restore({ ...good, childId: 7 }),
      (e: unknown) => e instanceof GuardStateError && /childId/.test(e.message),
      'a bad child id',
    );
    assert.throws(
      () => OnDeviceGuard.restore({ ...good, engine: { version: 2 } }),
      (e: unknown) => e instanceof GuardStateError && /engine/.test(e.message),
      'an engine snapshot of another version',
    );
  });

  it("offers a signal for the app's server with the level and kinds, never text or ids", () => {
    const guard = new OnDeviceGuard({ childId: 'mia', childAge: 13 });
    const chat = groomingChat();
    for (const m of chat) guard.observe(m);
    const signal = guard.signal('dm-rick');
    assert.ok(signal, 'a signal for a risky chat');
    assert.equal(privacySignalSchema.safeParse(signal).success, true, 'the signal matches its published schema');
    assert.deepEqual(
      Object.keys(signal).sort(),
      ['format', 'kinds', 'level', 'sextortion', 'stage', 'version'],
      'only these fields',
    );
    assert.ok(signal.kinds.includes('secrecy'), `the kinds name what happened: ${signal.kinds.join(', ')}`);
    const json = JSON.stringify(signal);
    for (const m of chat)
      assert.ok(
        !json.includes(m.text) && !json.includes(`"${m.id}"`),
        `the signal must not contain message ${m.id}: ${json}`,
      );
    for (const id of ['rick', 'mia', 'dm-rick'])
      assert.ok(!json.includes(id), `the signal must not contain the id ${id}: ${json}`);
    assert.ok(!/\d{10,}/.test(json), 'no timestamps in the signal');
  });
});
