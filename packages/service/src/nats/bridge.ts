// Ingestion from NATS JetStream, for deployments where many front ends publish events and service
// instances each consume the tenants they own (one writer per tenant, see docs/operations.md).
//
// Subjects: <prefix>.<tenant>.events carries events (one event, or an array of events, as JSON);
// <prefix>.<tenant>.rejected receives the ones that fail validation, with their problems.
// A message is acknowledged only after its events are durably stored, so a crash means redelivery,
// never loss; event ids make redelivery harmless ("duplicate").
import { AckPolicy, connect, DeliverPolicy, JSONCodec, type JsMsg, type NatsConnection } from 'nats';
import { parseEvent, type LifeguardEvent } from '@lifeguard/core';
import type { IngestPipeline } from '../ingest/pipeline.ts';

export interface NatsBridgeOptions {
  /** NATS server(s), e.g. "127.0.0.1:4222". */
  servers: string;
  /** Tenants this instance consumes. */
  tenants: string[];
  /** JetStream stream (created if missing). Default LIFEGUARD_EVENTS. */
  stream?: string;
  /** Subject prefix. Default "lifeguard". */
  subjectPrefix?: string;
  /** Durable consumer name prefix; the tenant is appended. Default "lifeguard-service". */
  durablePrefix?: string;
  /** Messages fetched and stored together. Default 500. */
  batch?: number;
}

interface Log {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const codec = JSONCodec();

export class NatsBridge {
  private nc: NatsConnection | null = null;
  private running = false;
  private loops: Promise<void>[] = [];
  readonly stream: string;
  readonly prefix: string;

  constructor(
    private readonly options: NatsBridgeOptions,
    private readonly pipeline: IngestPipeline,
    private readonly log: Log = console,
  ) {
    this.stream = options.stream ?? 'LIFEGUARD_EVENTS';
    this.prefix = options.subjectPrefix ?? 'lifeguard';
  }

  async start(): Promise<void> {
    this.nc = await connect({ servers: this.options.servers, name: 'lifeguard-service' });
    const jsm = await this.nc.jetstreamManager();
    const subject = `${this.prefix}.*.events`;
    try {
      await jsm.streams.info(this.stream);
    } catch {
      // Two minutes of publisher-side deduplication by Nats-Msg-Id, on top of event-id idempotency.
      await jsm.streams.add({ name: this.stream, subjects: [subject], duplicate_window: 120_000_000_000 });
    }
    this.running = true;
    for (const tenant of this.options.tenants) {
      const durable = `${this.options.durablePrefix ?? 'lifeguard-service'}-${tenant}`.replace(/[^A-Za-z0-9_-]/g, '_');
      await jsm.consumers.add(this.stream, {
        durable_name: durable,
        filter_subject: `${this.prefix}.${tenant}.events`,
        ack_policy: AckPolicy.Explicit,
        deliver_policy: DeliverPolicy.All,
        ack_wait: 60_000_000_000,
        max_ack_pending: 20_000,
      });
      this.loops.push(this.consume(tenant, durable));
    }
    this.log.info(
      { servers: this.options.servers, stream: this.stream, tenants: this.options.tenants },
      'consuming events from NATS JetStream',
    );
  }

  private async consume(tenant: string, durable: string): Promise<void> {
    const js = this.nc!.jetstream();
    const consumer = await js.consumers.get(this.stream, durable);
    while (this.running) {
      let messages: JsMsg[] = [];
      try {
        // A fetch ends when the batch is full or after 1 s (the client's minimum): under load batches fill
        // at once; at low rates an event waits up to a second before it is stored.
        const batch = await consumer.fetch({ max_messages: this.options.batch ?? 500, expires: 1_000 });
        for await (const m of batch) messages.push(m);
        if (messages.length > 0) await this.handle(tenant, messages);
      } catch (err) {
        if (!this.running) return;
        this.log.error({ err, tenant }, 'NATS bridge: fetching or storing failed; retrying');
        for (const m of messages) m.nak(5_000);
        messages = [];
        await new Promise((r) => setTimeout(r, 1_000));
      }
    }
  }

  /** Validates every message's events, stores the valid ones, then acks; bad messages go to .rejected. */
  private async handle(tenant: string, messages: JsMsg[]): Promise<void> {
    const good: JsMsg[] = [];
    const events: LifeguardEvent[] = [];
    for (const m of messages) {
      let value: unknown;
      try {
        value = JSON.parse(new TextDecoder().decode(m.data));
      } catch (err) {
        this.reject(tenant, m, [`(message): not valid JSON: ${(err as Error).message}`]);
        continue;
      }
      const items = Array.isArray(value) ? value : [value];
      const parsed = items.map((item) => parseEvent(item));
      const problems = parsed.flatMap((p, i) =>
        p.ok ? [] : p.error.problems.map((line) => (items.length > 1 ? `[${i}].${line}` : line)),
      );
      if (problems.length > 0) {
        // All or nothing per message: a producer's batch is fixed and resent whole.
        this.reject(tenant, m, problems);
        continue;
      }
      for (const p of parsed) if (p.ok) events.push(p.event);
      good.push(m);
    }
    if (events.length > 0) await this.pipeline.submit(tenant, events, 'nats');
    for (const m of good) m.ack();
  }

  private reject(tenant: string, m: JsMsg, problems: string[]): void {
    this.nc!.publish(
      `${this.prefix}.${tenant}.rejected`,
      codec.encode({
        subject: m.subject,
        seq: m.seq,
        problems,
        data: new TextDecoder().decode(m.data).slice(0, 10_000),
      }),
    );
    m.term();
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.allSettled(this.loops);
    await this.nc?.drain().catch(() => {});
    this.nc = null;
  }
}
