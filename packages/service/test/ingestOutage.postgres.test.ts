// A PostgreSQL outage under ingestion: events acknowledged before it are kept, ingest answers a
// retryable 503 while the database cannot be reached, and the same batch is taken once it is back.
// The outage is simulated, not a restart of the server (which other suites share): the service
// reaches the machine's PostgreSQL through a TCP relay of this test, and the outage closes the relay
// (new connections refused, open ones reset) and terminates the service's backends on the server
// (pg_terminate_backend), which is what the service sees of a restart.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { PostgresStorage } from '@lifeguard/storage';
import { dropSchema, postgresSkip, TEST_PG_URL, testSchemaName } from '@lifeguard/storage/testing';
import { buildServer, createKey } from '../src/index.ts';

/** A TCP relay to the database that can be cut (refusing and resetting) and restored on the same port. */
class Relay {
  private server: Server | null = null;
  private readonly sockets = new Set<Socket>();
  port = 0;

  constructor(
    private readonly host: string,
    private readonly targetPort: number,
  ) {}

  async open(): Promise<void> {
    const server = createServer((client) => {
      const upstream = connect(this.targetPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {});
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as { port: number }).port;
    this.server = server;
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = null;
    for (const s of this.sockets) s.resetAndDestroy();
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

const skip = await postgresSkip();

describe('ingestion through a PostgreSQL outage', { skip }, () => {
  const target = new URL(TEST_PG_URL);
  const relay = new Relay(target.hostname, Number(target.port || 5432));
  const schema = testSchemaName();
  const appName = `lg_outage_${schema.slice(-8)}`;
  let storage: PostgresStorage;
  let app: FastifyInstance;
  let key = '';
  const t = Date.now() - 3_600_000;
  const events = (from: number, count: number) =>
    Array.from({ length: count }, (_, i) => ({
      type: 'message',
      id: `m${from + i}`,
      time: t + (from + i) * 1000,
      conversationId: `c${(from + i) % 7}`,
      senderId: `u${(from + i) % 5}`,
      recipientIds: [`u${(from + i + 1) % 5}`],
      text: `see you at practice ${from + i}`,
    }));
  const post = (payload: object) =>
    app.inject({ method: 'POST', url: '/v1/events', payload, headers: { authorization: `Bearer ${key}` } });

  before(async () => {
    await relay.open();
    const url = new URL(TEST_PG_URL);
    url.host = `127.0.0.1:${relay.port}`;
    url.searchParams.set('application_name', appName);
    storage = new PostgresStorage({ connectionString: url.toString(), schema });
    await storage.migrate();
    key = (await createKey(storage, 'acme', 'ingest', ['admin'])).key;
    app = await buildServer({ storage, webhooks: false });
    await app.ready();
  });
  after(async () => {
    await app?.close().catch(() => {});
    await storage?.close().catch(() => {});
    await relay.cut();
    await dropSchema(schema);
  });

  it('keeps what was acknowledged, answers 503 with Retry-After during the outage, and takes the batch after', async () => {
    const first = await post({ events: events(0, 40) });
    assert.equal(first.statusCode, 200, `before the outage the batch is acknowledged: ${first.body}`);
    assert.equal(first.json().accepted, 40, 'all 40 events accepted');

    // The outage: nothing reaches the server, and the server drops the service's sessions.
    await relay.cut();
    const admin = new pg.Client({ connectionString: TEST_PG_URL });
    await admin.connect();
    try {
      await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [
        appName,
      ]);
    } finally {
      await admin.end();
    }
    const second = events(40, 25);
    const during = await post({ events: second });
    assert.equal(
      during.statusCode,
      503,
      `during the outage ingest answers 503 (got ${during.statusCode}: ${during.body})`,
    );
    assert.equal(during.json().code, 'unavailable', 'the error code says the service is unavailable');
    assert.match(during.json().error, /retry/i, `the message tells the client to retry: ${during.json().error}`);
    assert.ok(Number(during.headers['retry-after']) > 0, `Retry-After says when (${during.headers['retry-after']})`);

    // Back: the client retries the same batch until it is taken.
    await relay.open();
    let after: Awaited<ReturnType<typeof post>> | null = null;
    for (let attempt = 0; attempt < 50; attempt++) {
      after = await post({ events: second });
      if (after.statusCode === 200) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(after?.statusCode, 200, `after the outage the retried batch is acknowledged: ${after?.body}`);

    const stored = await storage.readEvents('acme', 0, 1000);
    const ids = stored.map((s) => s.event.id);
    assert.equal(ids.length, 65, `every acknowledged event is stored (${ids.length} of 65)`);
    assert.equal(new Set(ids).size, ids.length, 'and each once');
    for (const e of events(0, 40))
      assert.ok(ids.includes(e.id), `event ${e.id}, acknowledged before the outage, is still stored`);
    const again = await post({ events: events(0, 40) });
    assert.equal(again.json().duplicates, 40, 'sending the first batch again stores nothing twice');
  });
});
