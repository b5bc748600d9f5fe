// The scripted scenario behind `lifeguard demo` (and several tests): an adult stranger working on a
// 13-year-old, next to ordinary chat between two friends. Indicators only, nothing explicit.
import type { LifeguardEventInput } from '@lifeguard/core';

export const DEMO_USERS = {
  child: 'maya',
  friend: 'sam',
  stranger: 'rick',
  adultFriend: 'dana',
} as const;

export interface ScenarioMessage {
  from: string;
  to: string;
  text: string;
}

/** Accounts, and the connection the two children already have. Times are relative (ms before "now"). */
export function setupEvents(base: number): LifeguardEventInput[] {
  const { child, friend, stranger, adultFriend } = DEMO_USERS;
  return [
    {
      type: 'account',
      id: 'acc-maya',
      time: base,
      userId: child,
      age: 13,
      country: 'GB',
      createdAt: base - 400 * 86_400_000,
    },
    {
      type: 'account',
      id: 'acc-sam',
      time: base,
      userId: friend,
      age: 13,
      country: 'GB',
      createdAt: base - 500 * 86_400_000,
    },
    {
      type: 'account',
      id: 'acc-rick',
      time: base,
      userId: stranger,
      age: 34,
      country: 'GB',
      createdAt: base - 2 * 86_400_000,
    },
    {
      type: 'account',
      id: 'acc-dana',
      time: base,
      userId: adultFriend,
      age: 41,
      country: 'GB',
      createdAt: base - 900 * 86_400_000,
    },
    {
      type: 'contact',
      id: 'friends-maya-sam',
      time: base + 1,
      action: 'friend_accept',
      actorId: friend,
      targetId: child,
    },
    {
      type: 'contact',
      id: 'friends-dana-sam',
      time: base + 2,
      action: 'friend_accept',
      actorId: adultFriend,
      targetId: friend,
    },
  ];
}

export const FRIENDS_CHAT: ScenarioMessage[] = [
  { from: 'sam', to: 'maya', text: 'did you finish the maths homework?' },
  { from: 'maya', to: 'sam', text: 'yeah the last question took forever' },
  { from: 'sam', to: 'maya', text: 'want to play minecraft after dinner?' },
  { from: 'maya', to: 'sam', text: 'sure, see you at 7' },
];

/** The stranger's approach, with the child's replies. */
export const STRANGER_CHAT: ScenarioMessage[] = [
  { from: 'rick', to: 'maya', text: 'hey, saw you in the game lobby. how old are you?' },
  { from: 'maya', to: 'rick', text: 'im 13' },
  { from: 'rick', to: 'maya', text: "you seem really mature for your age, you're so pretty" },
  { from: 'rick', to: 'maya', text: "this is just between us ok? don't tell your parents about me" },
  { from: 'maya', to: 'rick', text: 'ok' },
  { from: 'rick', to: 'maya', text: 'add me on snap, its easier to talk there' },
  { from: 'rick', to: 'maya', text: "i'll get you a $50 gift card if you send me a pic" },
];

export const STRANGER_CONVERSATION = 'dm-rick-maya';
export const FRIENDS_CONVERSATION = 'dm-maya-sam';

/** Message events for a chat, one second apart, ids `${prefix}-${n}`. */
export function messageEvents(
  chat: ScenarioMessage[],
  conversationId: string,
  prefix: string,
  start: number,
): LifeguardEventInput[] {
  return chat.map((m, i) => ({
    type: 'message',
    id: `${prefix}-${i + 1}`,
    time: start + i * 1000,
    conversationId,
    senderId: m.from,
    recipientIds: [m.to],
    text: m.text,
  }));
}
