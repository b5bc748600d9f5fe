// The ingest role's NATS side: producers publish to <prefix>.<tenant>.events as before (one event or an
// array); this consumer validates each message and routes its events to the partitions, acknowledging
// the message only once every part is stored. A poison message (not JSON, an invalid event, over the
// size limit) goes whole to the rejected subject with its problems and is terminated, so it never
// holds up the messages behind it.
import { AckPolicy, DeliverPolicy, type JsMsg } from 'nats';
import type { LifeguardEvent } from '@lifeguard/core';
import { readEventMessage } from './eventMessage.ts';
import type { ScaleContext } from './context.ts';
import type { PartitionRouter } from './router.ts';

export interface IngestBridgeOptions {
  tenant: string;
  /** Raw stream and subject prefix (the NATS bridge's). */
  stream?: string;
  subjectPrefix?: string;
  /** Messages over this size are rejected unread (default 1 MiB). */
  maxMessageBytes?: number;
  batch?: number;
}

export class IngestBridge {
  private running = false;
  private loop: Promise<void> | null = null;
  routed = 0;
  rejected = 0;
  private readonly stream: string;
  private readonly prefix: string;

  constructor(
    private readonly ctx: ScaleContext,
    private readonly router: PartitionRouter,
    private readonly options: IngestBridgeOptions,
  ) {
    this.stream = options.stream ?? 'LIFEGUARD_EVENTS';
    this.prefix = options.subjectPrefix ?? 'lifeguard';
  }

  async start(): Promise<void> {
    const { jsm } = this.ctx;
    try {
      await jsm.streams.info(this.stream);
    } catch {
      await jsm.streams.add({
        name: this.stream,
        subjects: [`${this.prefix}.*.events`],
        duplicate_window: 120_000_000_000,
      });
    }
    const durable = `lifeguard-router-${this.options.tenant}`;
    await jsm.consumers.add(this.stream, {
      durable_name: durable,
      filter_subject: `${this.prefix}.${this.options.tenant}.events`,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: 30_000_000_000,
      max_ack_pending: 20_000,
    });
    this.running = true;
    this.loop = this.consume(durable);
  }

  private async consume(durable: string): Promise<void> {
    const consumer = await this.ctx.js.consumers.get(this.stream, durable);
    while (this.running) {
      const messages: JsMsg[] = [];
      try {
        const batch = await consumer.fetch({ max_messages: this.options.batch ?? 200, expires: 1_000 });
        for await (const m of batch) messages.push(m);
        await this.handle(messages);
      } catch (err) {
        if (!this.running) return;
        this.ctx.log.error({ err: (err as Error).message }, 'ingest router: fetching or routing failed; retrying');
        for (const m of messages) m.nak(1_000);
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  /** Why a raw message cannot be routed, or its events. */
  read(m: JsMsg): { events: LifeguardEvent[] } | { problems: string[] } {
    const limit = this.options.maxMessageBytes ?? 1 << 20;
    if (m.data.length > limit) return { problems: [`(message): ${m.data.length} bytes, over the ${limit}-byte limit`] };
    return readEventMessage(m.data, false);
  }

  private async handle(messages: JsMsg[]): Promise<void> {
    const routing: Promise<unknown>[] = [];
    const good: JsMsg[] = [];
    for (const m of messages) {
      const read = this.read(m);
      if ('problems' in read) {
        this.ctx.nc.publish(
          this.ctx.names.rejectedSubject(this.options.tenant),
          new TextEncoder().encode(
            JSON.stringify({
              subject: m.subject,
              seq: m.seq,
              problems: read.problems.slice(0, 50),
              data: new TextDecoder().decode(m.data.subarray(0, 10_000)),
            }),
          ),
        );
        m.term();
        this.rejected++;
        continue;
      }
      // The raw stream's sequence names the batch: a redelivered message routes to the same ids.
      routing.push(this.router.route(this.options.tenant, read.events, `raw${m.seq}`));
      good.push(m);
      this.routed += read.events.length;
    }
    await Promise.all(routing);
    for (const m of good) m.ack();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop?.catch(() => {});
  }
}
