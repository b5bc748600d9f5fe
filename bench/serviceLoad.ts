// The service load run shared by service.bench.ts and ingestCompare.bench.ts: ingestion throughput over
// HTTP (batches of 100 messages, durably stored) and the latency of the contact decision while that load
// runs, against one store.
//
// The server is the real `serve` command in its own process; the load generator is autocannon in this
// process, so on a 2-core machine each gets about one core. Message text comes from the benign chat
// corpora in ../shared/corpora (synthetic sentences if they are absent).
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { openStorage, type Storage } from '@lifeguard/storage';
import { createKey } from '@lifeguard/service';
import type { LifeguardEvent } from '@lifeguard/core';
import { corporaRoot, loadTopicalChat, topicalChatEvents } from './corpora.ts';

// autocannon ships no type declarations; this is the part of its API used here.
interface CannonRequest {
  method: 'POST' | 'GET';
  path: string;
  headers: Record<string, string>;
  setupRequest?: (req: Record<string, unknown>) => Record<string, unknown>;
}
interface CannonResult {
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  latency: { p50: number; p99: number; mean: number; max: number };
}
const autocannon = createRequire(import.meta.url)('autocannon') as (options: {
  url: string;
  connections: number;
  duration: number;
  overallRate?: number;
  requests: CannonRequest[];
}) => Promise<CannonResult>;

const root = new URL('..', import.meta.url).pathname;
export const BATCH = 100;
export const INGEST_CONNECTIONS = 8;
export const DECISION_RATE = 200; // contact decisions per second while ingesting
export const GOAL_RATE = 20_000; // messages per second, the throughput goal
export const USERS = 2_000;

export function log(line: string) {
  process.stderr.write(`${line}\n`);
}

export function corpusTexts(): string[] {
  const dir = corporaRoot();
  if (dir) {
    const texts = topicalChatEvents(loadTopicalChat(dir))
      .map((e) => e.text)
      .filter((t) => t.length > 0 && t.length < 2000);
    if (texts.length > 1000) return texts.slice(0, 20_000);
  }
  return Array.from(
    { length: 1000 },
    (_, i) => `ordinary message number ${i} about school, football and what is for dinner`,
  );
}

/** Accounts (half children) and a friendship graph, written straight to the store before the server starts. */
async function seed(storage: Storage): Promise<void> {
  const t = Date.now() - 86_400_000;
  const events: LifeguardEvent[] = [];
  for (let u = 0; u < USERS; u++)
    events.push({
      type: 'account',
      id: `acc-${u}`,
      time: t,
      userId: `u${u}`,
      age: u % 2 ? 14 : 30,
      country: u % 3 ? 'GB' : 'DE',
    });
  for (let u = 0; u < USERS; u++) {
    for (const d of [1, 2, 7])
      events.push({
        type: 'contact',
        id: `f-${u}-${d}`,
        time: t + 1,
        action: 'friend_accept',
        actorId: `u${u}`,
        targetId: `u${(u + d * 2) % USERS}`,
      });
  }
  for (let i = 0; i < events.length; i += 1000) await storage.appendEvents('bench', events.slice(i, i + 1000), t);
}

interface Server {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function startServer(serverRoot: string, database: string, sqliteSync: 'full' | 'normal'): Promise<Server> {
  // LIFEGUARD_BENCH_NODE_ARGS passes extra flags to the server, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
  const extra = (process.env.LIFEGUARD_BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  const child = spawn(
    process.execPath,
    [
      ...extra,
      '--import',
      'tsx',
      join(serverRoot, 'packages/service/bin/lifeguard-service.ts'),
      'serve',
      '--database',
      database,
      '--port',
      '0',
      '--log-level',
      'error',
      '--no-webhooks',
      '--sqlite-sync',
      sqliteSync,
    ],
    {
      cwd: serverRoot,
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const m = /listening on (http:\/\/\S+)/.exec(out);
      if (m) resolve(m[1]!);
    });
    child.on('exit', (code) => reject(new Error(`server exited (${code}): ${out}`)));
  });
  return { child, url, exited };
}

export interface RunResult {
  store: string;
  /** Run A: unthrottled. */
  messagesPerSecond: number;
  ingestP50: number;
  ingestP99: number;
  decisionP50: number;
  decisionP99: number;
  /** Run B: ingestion held at GOAL_RATE. */
  goalMessagesPerSecond: number;
  goalDecisionP50: number;
  goalDecisionP99: number;
  idleDecisionP50: number;
  idleDecisionP99: number;
  acked: number;
  stored: number;
  ingestErrors: number;
  decisionErrors: number;
  /** Server event-loop delay p99 over the whole session (ms). */
  loopDelayP99: number;
  /**
   * Server process CPU time (all its threads, user + system) per 1,000 messages acknowledged in run A,
   * in ms: less sensitive than messages/s to other work on a shared machine. NaN where /proc is absent.
   */
  cpuMsPer1000: number;
}

/** CPU time (user + system, all threads) a process has used so far, in ms (Linux /proc); NaN elsewhere. */
function processCpuMs(pid: number | undefined): number {
  try {
    // Fields after the command name (which may contain spaces): utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / CLOCK_TICKS;
  } catch {
    return Number.NaN;
  }
}
/** USER_HZ: the unit of utime and stime in /proc (100 on Linux x86 and arm). */
const CLOCK_TICKS = 100;

/**
 * Seeds the store, starts `serve` from `serverRoot` (this checkout by default; another checkout gives a
 * before/after comparison on the same machine) and measures it for `seconds` per run.
 */
export async function measure(
  label: string,
  database: string,
  sqliteSync: 'full' | 'normal',
  texts: string[],
  seconds: number,
  serverRoot = root,
  ingestConnections = INGEST_CONNECTIONS,
): Promise<RunResult> {
  const SECONDS = seconds;
  const setup = await openStorage({ database });
  await seed(setup);
  const ingestKey = (await createKey(setup, 'bench', 'bench ingest', ['ingest'])).key;
  const decideKey = (await createKey(setup, 'bench', 'bench decide', ['decide'])).key;
  const before = await setup.countEvents('bench');
  await setup.close();

  const server = await startServer(serverRoot, database, sqliteSync);
  let batchNo = 0;
  let textNo = 0;
  const base = Date.now() - 3_600_000;
  const ingestBody = () => {
    const b = batchNo++;
    const parts: string[] = new Array(BATCH);
    for (let i = 0; i < BATCH; i++) {
      const sender = (b * 7 + i) % USERS;
      const recipient = (sender + 2) % USERS;
      const text = texts[textNo++ % texts.length]!;
      parts[i] =
        `{"type":"message","id":"${label}-${b}-${i}","time":${base + b * 10 + (i % 10)},"conversationId":"c${Math.min(sender, recipient)}-${Math.max(sender, recipient)}","senderId":"u${sender}","recipientIds":["u${recipient}"],"text":${JSON.stringify(text)}}`;
    }
    return `{"events":[${parts.join(',')}]}`;
  };
  let pair = 0;
  const decisionBody = () => {
    const s = (pair * 13) % USERS;
    const r = (s + (pair++ % 3 === 0 ? 2 : 501)) % USERS; // a third connected, the rest strangers
    return `{"senderId":"u${s}","recipientId":"u${r}"}`;
  };
  const decisionRequest: CannonRequest = {
    method: 'POST',
    path: '/v1/decisions/contact',
    headers: { authorization: `Bearer ${decideKey}`, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: decisionBody() }),
  };

  const ingestRequest: CannonRequest = {
    method: 'POST',
    path: '/v1/events',
    headers: { authorization: `Bearer ${ingestKey}`, 'content-type': 'application/json' },
    setupRequest: (req) => ({ ...req, body: ingestBody() }),
  };
  // Warm-up (JIT, connection pools, caches), not counted; then decision latency with no other load.
  await autocannon({
    url: server.url,
    connections: 2,
    duration: 2,
    overallRate: DECISION_RATE,
    requests: [decisionRequest],
  });
  const warm = await autocannon({
    url: server.url,
    connections: ingestConnections,
    duration: 3,
    requests: [ingestRequest],
  });
  const idle = await autocannon({
    url: server.url,
    connections: 2,
    duration: 4,
    overallRate: DECISION_RATE,
    requests: [decisionRequest],
  });

  // A: as fast as the server takes it, with decisions alongside (throughput; latency at saturation).
  log(
    `${label}: ingesting flat out for ${SECONDS} s with ${ingestConnections} connections, ${DECISION_RATE} contact decisions/s alongside`,
  );
  const cpuBefore = processCpuMs(server.child.pid);
  const [ingest, decide] = await Promise.all([
    autocannon({ url: server.url, connections: ingestConnections, duration: SECONDS, requests: [ingestRequest] }),
    autocannon({
      url: server.url,
      connections: 4,
      duration: SECONDS,
      overallRate: DECISION_RATE,
      requests: [decisionRequest],
    }),
  ]);
  const cpuA = processCpuMs(server.child.pid) - cpuBefore;
  // B: ingestion held at the goal rate (20,000 messages/s), decisions alongside (latency at that load).
  log(
    `${label}: ingesting at ${GOAL_RATE} messages/s for ${SECONDS} s, ${DECISION_RATE} contact decisions/s alongside`,
  );
  const [goalIngest, goalDecide] = await Promise.all([
    autocannon({
      url: server.url,
      connections: ingestConnections,
      duration: SECONDS,
      overallRate: GOAL_RATE / BATCH,
      requests: [ingestRequest],
    }),
    autocannon({
      url: server.url,
      connections: 4,
      duration: SECONDS,
      overallRate: DECISION_RATE,
      requests: [decisionRequest],
    }),
  ]);
  const health = (await (await fetch(`${server.url}/healthz`)).json()) as {
    eventLoopDelayMs: { p50: number; p99: number; max: number };
  };
  server.child.kill('SIGTERM');
  await server.exited;

  const check = await openStorage({ database });
  const stored = (await check.countEvents('bench')) - before;
  await check.close();
  const acked = (ingest['2xx'] + goalIngest['2xx'] + warm['2xx']) * BATCH;
  const result: RunResult = {
    store: label,
    messagesPerSecond: Math.round((ingest['2xx'] * BATCH) / SECONDS),
    ingestP50: ingest.latency.p50,
    ingestP99: ingest.latency.p99,
    acked,
    stored,
    ingestErrors:
      ingest.non2xx + ingest.errors + ingest.timeouts + goalIngest.non2xx + goalIngest.errors + goalIngest.timeouts,
    decisionP50: decide.latency.p50,
    decisionP99: decide.latency.p99,
    goalMessagesPerSecond: Math.round((goalIngest['2xx'] * BATCH) / SECONDS),
    goalDecisionP50: goalDecide.latency.p50,
    goalDecisionP99: goalDecide.latency.p99,
    decisionErrors:
      decide.non2xx + decide.errors + decide.timeouts + goalDecide.non2xx + goalDecide.errors + goalDecide.timeouts,
    idleDecisionP50: idle.latency.p50,
    idleDecisionP99: idle.latency.p99,
    loopDelayP99: health.eventLoopDelayMs.p99,
    cpuMsPer1000: ingest['2xx'] > 0 ? Math.round((cpuA / (ingest['2xx'] * BATCH)) * 1000 * 10) / 10 : Number.NaN,
  };
  log(
    JSON.stringify({
      ...result,
      ingestStatus: [ingest, goalIngest].map((r) => (r as unknown as { statusCodeStats: unknown }).statusCodeStats),
      ingestFailures: [ingest, goalIngest].map((r) => [r.errors, r.timeouts]),
    }),
  );
  return result;
}
