// No acknowledged event is lost: the real server process is killed with SIGKILL in the middle of a
// stream of ingestion requests, restarted on the same database, and every event whose request was
// answered 2xx must be there.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { openStorage, type Storage } from '@lifeguard/storage';
import { openTestSqlite, postgresSkip, testSchemaName, dropSchema, TEST_PG_URL } from '@lifeguard/storage/testing';
import { createKey } from '../src/index.ts';

const pgSkip = await postgresSkip();
const BIN = fileURLToPath(new URL('../bin/lifeguard-service.ts', import.meta.url));
const REPO = fileURLToPath(new URL('../../../', import.meta.url));

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<number | null>;
}

async function startServer(database: string): Promise<Running> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', BIN, 'serve', '--database', database, '--port', '0', '--log-level', 'error', '--no-webhooks'],
    {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  let output = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start: ${output}`)), 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const m = /listening on (http:\/\/\S+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    child.on('exit', (code) => reject(new Error(`server exited (${code}) before listening: ${output}`)));
  });
  return { child, url, exited };
}

function batch(client: number, n: number, size: number) {
  const time = Date.now() - 60_000;
  return Array.from({ length: size }, (_, i) => ({
    type: 'message',
    id: `c${client}-b${n}-m${i}`,
    time: time + i,
    conversationId: `conv-${client}-${n % 7}`,
    senderId: `user-${client}`,
    recipientIds: [`user-${(client + 1) % 4}`],
    text: `ordinary message ${n}.${i} about homework and football`,
  }));
}

async function killMidStream(database: string, storage: () => Promise<Storage>) {
  const key = await (async () => {
    const s = await storage();
    try {
      return (await createKey(s, 'acme', 'ingest', ['ingest'])).key;
    } finally {
      await s.close();
    }
  })();
  const server = await startServer(database);
  const acked = new Set<string>();
  let failedRequests = 0;
  let killed = false;
  const client = async (id: number) => {
    for (let n = 0; !killed || n === 0; n++) {
      const events = batch(id, n, 50);
      try {
        const res = await fetch(`${server.url}/v1/events`, {
          method: 'POST',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          body: JSON.stringify({ events }),
        });
        const body = (await res.json()) as { results?: { id: string; status: string }[] };
        if (res.status >= 200 && res.status < 300) {
          for (const r of body.results ?? []) if (r.status === 'accepted' || r.status === 'duplicate') acked.add(r.id);
        }
      } catch {
        failedRequests++;
        return; // the server is gone
      }
    }
  };
  const clients = [0, 1, 2, 3].map(client);
  // Kill once a good number of batches have been acknowledged, while requests are still in flight.
  while (acked.size < 2_000) await new Promise((r) => setTimeout(r, 5));
  server.child.kill('SIGKILL');
  killed = true;
  await server.exited;
  await Promise.all(clients);

  const restarted = await startServer(database);
  try {
    const s = await storage();
    try {
      const ids = [...acked];
      const found = new Set((await s.getEventsByIds('acme', ids)).map((e) => e.event.id));
      const missing = ids.filter((id) => !found.has(id));
      assert.deepEqual(
        missing.slice(0, 10),
        [],
        `${missing.length} of ${ids.length} acknowledged events are missing after SIGKILL`,
      );
    } finally {
      await s.close();
    }
    // The restarted server answers, and a re-sent acknowledged batch is recognised as duplicates.
    const resend = batch(0, 0, 50);
    const res = await fetch(`${restarted.url}/v1/events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: resend }),
    });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { duplicates: number }).duplicates, 50);
    return { acked: acked.size, failedRequests };
  } finally {
    restarted.child.kill('SIGTERM');
    await restarted.exited;
  }
}

describe('durability against SIGKILL', () => {
  const cleanups: (() => Promise<void>)[] = [];
  after(async () => {
    for (const c of cleanups) await c();
  });

  it('finds every acknowledged event after the SQLite server is killed mid-stream', async () => {
    const store = await openTestSqlite();
    await store.storage.close();
    cleanups.push(store.cleanup);
    const result = await killMidStream(store.path, () => openStorage({ database: store.path }));
    assert.ok(result.acked >= 2_000, 'at least 2,000 events were acknowledged before the kill');
  });

  it('finds every acknowledged event after the PostgreSQL server is killed mid-stream', { skip: pgSkip }, async () => {
    const schema = testSchemaName();
    cleanups.push(() => dropSchema(schema));
    const url = `${TEST_PG_URL}?schema=${schema}`;
    const result = await killMidStream(url, () => openStorage({ database: url }));
    assert.ok(result.acked >= 2_000, 'at least 2,000 events were acknowledged before the kill');
  });
});
