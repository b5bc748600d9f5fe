// Family Centre benchmark: the parent view for a busy teen (2,000 connections, 50,000 messages in the
// last 7 days, safety prompts and settings) over the real HTTP route (auth, storage, audit entry, JSON),
// on SQLite (file, durable commits) and on PostgreSQL when one is reachable.
//
//   node --expose-gc --import tsx bench/family.bench.ts [requests]
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LifeguardEvent } from '@lifeguard/core';
import { openStorage, type Storage } from '@lifeguard/storage';
import { dropSchema, postgresUnavailable, testSchemaName, TEST_PG_URL } from '@lifeguard/storage/testing';
import { buildServer, createKey } from '@lifeguard/service';

const REQUESTS = Number(process.argv[2] ?? 400);
const CONNECTIONS = 2_000;
const MESSAGES = 50_000;
const DAY = 86_400_000;
const GOAL_MS = 50;

function log(line: string) {
  process.stderr.write(`${line}\n`);
}

/** The teen, the parent, 2,000 friends and 50,000 messages spread over the last 7 days. */
async function seed(storage: Storage, now: number): Promise<void> {
  await storage.createTenant('bench', 'Bench');
  const events: LifeguardEvent[] = [
    { type: 'account', id: 'a-teen', time: now - 30 * DAY, userId: 'teen', age: 15, country: 'GB' },
    { type: 'account', id: 'a-parent', time: now - 30 * DAY, userId: 'parent', age: 45, country: 'GB' },
  ];
  for (let i = 0; i < CONNECTIONS; i++) {
    events.push({
      type: 'account',
      id: `a-${i}`,
      time: now - 30 * DAY,
      userId: `friend${i}`,
      age: i % 10 === 0 ? 30 : 15,
      country: 'GB',
    });
    // A tenth of the connections are new this week.
    events.push({
      type: 'contact',
      id: `f-${i}`,
      time: now - (i % 10 === 0 ? 2 : 20) * DAY + i,
      action: 'friend_accept',
      actorId: 'teen',
      targetId: `friend${i}`,
    });
  }
  for (let i = 0; i < MESSAGES; i++) {
    const friend = `friend${(i * 7919) % CONNECTIONS}`;
    const out = i % 2 === 0;
    events.push({
      type: 'message',
      id: `m-${i}`,
      time: now - 7 * DAY + 60_000 + Math.floor((i / MESSAGES) * (7 * DAY - 120_000)),
      conversationId: `dm-${friend}`,
      senderId: out ? 'teen' : friend,
      recipientIds: [out ? friend : 'teen'],
      text: `see you at practice ${i}`,
    });
  }
  // Contacts are counted for teens with a link: the parent invites before the week's messages arrive.
  await storage.createFamilyLink('bench', {
    parentId: 'parent',
    teenId: 'teen',
    status: 'active',
    basis: 'consent',
    createdAt: now - 8 * DAY,
    acceptedAt: now - 8 * DAY,
    endedAt: null,
    endedBy: null,
  });
  for (let i = 0; i < events.length; i += 2_000) await storage.appendEvents('bench', events.slice(i, i + 2_000), now);
  await storage.recordSafetyWarnings(
    'bench',
    Array.from({ length: 150 }, (_, i) => ({
      userId: 'teen',
      kind: i % 2 ? 'platform_move' : 'stranger_contact',
      counterpartId: `friend${i}`,
      at: now - (i % 7) * DAY,
    })),
  );
  await storage.putAccountSettings(
    'bench',
    'teen',
    {
      profile_private: true,
      not_discoverable: true,
      connection_list_hidden: true,
      precise_location_off: true,
      location_not_offered_to_strangers: true,
      stranger_messages_off: true,
    },
    now,
  );
}

interface Result {
  store: string;
  p50: number;
  p99: number;
  max: number;
  cpuMs: number;
  bytes: number;
  contacts: number;
  connections: number;
}

async function measure(store: string, database: string): Promise<Result> {
  const storage = await openStorage({ database });
  try {
    const now = Date.now();
    log(`${store}: seeding ${CONNECTIONS} connections and ${MESSAGES} messages`);
    await seed(storage, now);
    const key = (await createKey(storage, 'bench', 'bench', ['decide'])).key;
    const app = await buildServer({
      storage,
      webhooks: false,
      docs: false,
      console: false,
      retention: { messageTextDays: 30, intervalMs: 0 },
    });
    await app.ready();
    try {
      const headers = { authorization: `Bearer ${key}` };
      const linkId = (await storage.listFamilyLinks('bench', 'teen'))[0]!.id;
      const url = `/v1/family/links/${linkId}/view?viewerId=parent`;
      let last = await app.inject({ method: 'GET', url, headers });
      if (last.statusCode !== 200) throw new Error(`view failed: ${last.body}`);
      for (let i = 0; i < 30; i++) await app.inject({ method: 'GET', url, headers }); // warm-up
      const times: number[] = [];
      const cpu = process.cpuUsage();
      for (let i = 0; i < REQUESTS; i++) {
        const t = process.hrtime.bigint();
        last = await app.inject({ method: 'GET', url, headers });
        times.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (last.statusCode !== 200) throw new Error(`view failed: ${last.body}`);
      }
      const used = process.cpuUsage(cpu);
      times.sort((a, b) => a - b);
      const at = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(q * times.length))]! * 10) / 10;
      const data = last.json().data;
      const r = {
        store,
        p50: at(0.5),
        p99: at(0.99),
        max: Math.round(times.at(-1)! * 10) / 10,
        cpuMs: Math.round(((used.user + used.system) / 1000 / REQUESTS) * 10) / 10,
        bytes: last.body.length,
        contacts: data.recentContacts.length,
        connections: data.connections.total,
      };
      log(`${store}: p50 ${r.p50} ms, p99 ${r.p99} ms, ${r.cpuMs} ms CPU per view`);
      return r;
    } finally {
      await app.close();
    }
  } finally {
    await storage.close();
  }
}

const results: Result[] = [];
const dir = mkdtempSync(join(tmpdir(), 'lifeguard-family-bench-'));
try {
  results.push(await measure('SQLite (file, synchronous=FULL)', join(dir, 'bench.db')));
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const unavailable = await postgresUnavailable();
if (unavailable) log(`skipping PostgreSQL: ${unavailable}`);
else {
  const schema = testSchemaName();
  try {
    results.push(await measure('PostgreSQL (localhost)', `${TEST_PG_URL}?schema=${schema}`));
  } finally {
    await dropSchema(schema);
  }
}

const n = (x: number) => x.toLocaleString('en-US');
const markdown = [
  '### Family Centre: parent view',
  '',
  '| store | parent view p50 (ms) | p99 (ms) | max (ms) | service CPU per view (ms) | accounts messaged in 7 days | connections | response size |',
  '|---|---:|---:|---:|---:|---:|---:|---:|',
  ...results.map(
    (r) =>
      `| ${r.store} | ${r.p50} | ${r.p99} ${r.p99 < GOAL_MS ? '✓' : '✗'} | ${r.max} | ${r.cpuMs} | ${n(r.contacts)} | ${n(r.connections)} | ${n(Math.round(r.bytes / 1024))} KiB |`,
  ),
  '',
  `Goal: parent view p99 < ${GOAL_MS} ms for a teen with ${n(CONNECTIONS)} connections and ${n(MESSAGES)} messages in the last 7 days.`,
  '',
  `Method: \`GET /v1/family/links/{id}/view?viewerId=parent\` through Fastify's inject (API-key auth, storage reads, the audit entry every view writes, JSON), ` +
    `${n(REQUESTS)} requests one after another after 30 warm-up requests, in one process. The teen has ${n(CONNECTIONS)} connections (a tenth made this week, a tenth adults), ` +
    `${n(MESSAGES)} messages with them spread over 7 days (stored through appendEvents, which keeps the linked teen's message counts per contact and day), 150 safety prompts and reported settings. ` +
    'The view reads one row per contact (counts for the last eight days and the last time), never the messages. ' +
    "Service CPU per view is the process's user + system CPU time over the timed requests divided by their number (it includes the SQLite writer thread; not the PostgreSQL server). " +
    `Load average when the run ended: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(
        ', ',
      )} on ${cpus().length} cores, shared with other work: wall-clock times are inflated by waiting for a core.`,
].join('\n');
console.log(JSON.stringify({ title: 'Family Centre', markdown }));
