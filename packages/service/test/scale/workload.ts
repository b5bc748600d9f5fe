// A seeded chat workload for partitioned-detection tests and the scale benchmark: children chatting,
// adults some of whom go through the grooming steps of examples/grooming-scenario.jsonl with a child
// (non-explicit indicator wording), coaches and relatives with ordinary talk, friend requests, blocks
// and reports. Every account's age is declared by an account event first.
import type { LifeguardEvent } from '@lifeguard/core';

const BENIGN = [
  'did u finish the science worksheet',
  'practice moved to 5 tmrw, bring ur own water',
  'lol that video was so funny',
  'can u send me the homework page',
  'are we still going to the library saturday',
  'my dog ate my pencil again',
  'good game today, see you at training',
  'what did you get for question 4',
];
const GROOMING = [
  'hey saw ur drawing in the art group, ur really talented',
  'how old r u?',
  'ur so mature for your age',
  'do ur parents check ur phone?',
  'lets keep this between us ok? they wouldnt get it. delete our chat after',
  'add me on snap its easier to talk there',
  'i can send u a $25 roblox gift card if u want',
  'send me a pic of u so i know ur real',
  'are u home alone after school?',
  'we could meet at the mall saturday, i can pick u up. just tell ur mom ur at a friends',
];
const CHILD_REPLIES = ['thanks :) who r u', '13', 'sometimes my mom does', 'really? why', 'idk', 'ok'];

export interface WorkloadOptions {
  seed?: number;
  children?: number;
  adults?: number;
  /** Share of adults who groom (each with up to `childrenPerGroomer` children). */
  groomerShare?: number;
  childrenPerGroomer?: number;
  /** Ordinary messages between children. */
  childMessages?: number;
  /** Prefix for ids (several workloads in one stream). */
  prefix?: string;
}

function prng(seed: number) {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function workload(options: WorkloadOptions = {}): LifeguardEvent[] {
  const rand = prng(options.seed ?? 7);
  const pick = <T>(list: T[]) => list[Math.floor(rand() * list.length)]!;
  const px = options.prefix ?? '';
  const nChildren = options.children ?? 40;
  const nAdults = options.adults ?? 12;
  const start = Date.parse('2026-11-02T15:00:00Z');
  let clock = start;
  let n = 0;
  const at = () => {
    clock += 1_000 + Math.floor(rand() * 20_000);
    return new Date(clock).toISOString();
  };
  const events: LifeguardEvent[] = [];
  const children = Array.from({ length: nChildren }, (_, i) => `${px}kid${i}`);
  const adults = Array.from({ length: nAdults }, (_, i) => `${px}adult${i}`);
  for (const c of children)
    events.push({
      type: 'account',
      id: `${px}acc-${c}`,
      time: at(),
      userId: c,
      age: 12 + Math.floor(rand() * 4),
    } as LifeguardEvent);
  for (const a of adults)
    events.push({
      type: 'account',
      id: `${px}acc-${a}`,
      time: at(),
      userId: a,
      age: 25 + Math.floor(rand() * 20),
    } as LifeguardEvent);
  // Scripts run interleaved: each is a list of events in its own order.
  const scripts: LifeguardEvent[][] = [];
  const message = (conv: string, from: string, to: string, text: string): LifeguardEvent =>
    ({
      type: 'message',
      id: `${px}m${n++}`,
      time: '',
      conversationId: conv,
      senderId: from,
      recipientIds: [to],
      text,
    }) as LifeguardEvent;
  const groomers = Math.round(nAdults * (options.groomerShare ?? 0.35));
  adults.forEach((adult, ai) => {
    const perAdult = ai < groomers ? (options.childrenPerGroomer ?? 2) : 1;
    for (let k = 0; k < perAdult; k++) {
      const child = children[(ai * 7 + k * 13) % nChildren]!;
      const conv = `${px}dm-${adult}-${child}`;
      const script: LifeguardEvent[] = [
        {
          type: 'contact',
          id: `${px}fr${n++}`,
          time: '',
          action: 'friend_request',
          actorId: adult,
          targetId: child,
        } as LifeguardEvent,
      ];
      if (ai < groomers) {
        const steps = 4 + Math.floor(rand() * (GROOMING.length - 4));
        for (let s = 0; s < steps; s++) {
          script.push(message(conv, adult, child, GROOMING[s]!));
          if (rand() < 0.5) script.push(message(conv, child, adult, pick(CHILD_REPLIES)));
        }
        if (rand() < 0.5) {
          script.push({
            type: 'contact',
            id: `${px}bl${n++}`,
            time: '',
            action: 'block',
            actorId: child,
            targetId: adult,
            conversationId: conv,
          } as LifeguardEvent);
          script.push({
            type: 'contact',
            id: `${px}rp${n++}`,
            time: '',
            action: 'report',
            actorId: child,
            targetId: adult,
            conversationId: conv,
          } as LifeguardEvent);
        }
      } else {
        for (let s = 0; s < 4; s++)
          script.push(message(conv, s % 2 ? child : adult, s % 2 ? adult : child, pick(BENIGN)));
      }
      scripts.push(script);
    }
  });
  const chatter: LifeguardEvent[] = [];
  for (let i = 0; i < (options.childMessages ?? 300); i++) {
    const a = Math.floor(rand() * nChildren);
    const b = (a + 1 + Math.floor(rand() * 3)) % nChildren;
    const [x, y] = a < b ? [a, b] : [b, a];
    const from = rand() < 0.5 ? x : y;
    chatter.push(message(`${px}dm-kid${x}-kid${y}`, children[from]!, children[from === x ? y : x]!, pick(BENIGN)));
  }
  scripts.push(chatter);
  // Interleave: repeatedly take the next event of a random unfinished script.
  const cursors = scripts.map(() => 0);
  let left = scripts.reduce((s, l) => s + l.length, 0);
  while (left > 0) {
    const i = Math.floor(rand() * scripts.length);
    if (cursors[i]! >= scripts[i]!.length) continue;
    const e = scripts[i]![cursors[i]!++]!;
    events.push({ ...e, time: at() } as LifeguardEvent);
    left--;
  }
  return events;
}
