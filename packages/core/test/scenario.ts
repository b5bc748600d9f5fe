// Builds conversations for tests: non-explicit lines only.
import type { LifeguardEvent } from '../src/events.ts';

export class Script {
  readonly events: LifeguardEvent[] = [];
  private t: number;
  private n = 0;
  constructor(start = Date.parse('2026-03-01T16:00:00Z')) {
    this.t = start;
  }
  account(userId: string, age: number, createdDaysAgo = 400): this {
    this.events.push({
      type: 'account',
      id: `acct-${userId}-${this.n++}`,
      time: this.t,
      userId,
      age,
      createdAt: this.t - createdDaysAgo * 86_400_000,
    });
    return this;
  }
  say(conversationId: string, from: string, to: string, text: string, afterMinutes = 1): this {
    this.t += afterMinutes * 60_000;
    this.events.push({
      type: 'message',
      id: `m${++this.n}`,
      time: this.t,
      conversationId,
      senderId: from,
      recipientIds: [to],
      text,
    });
    return this;
  }
  contact(action: 'friend_request' | 'friend_accept' | 'block' | 'report', actorId: string, targetId: string): this {
    this.events.push({ type: 'contact', id: `c${++this.n}`, time: this.t, action, actorId, targetId });
    return this;
  }
}
