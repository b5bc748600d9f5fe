// Reading one subject of a stream in order, from a given position, for an owner that keeps its position
// itself (in its snapshot).
import { AckPolicy, DeliverPolicy, type ConsumerMessages, type JsMsg } from 'nats';
import type { ScaleContext } from './context.ts';

/**
 * A reader of one subject from the message after `afterSeq`: an ephemeral pull consumer without acks
 * (the owner keeps its position in its snapshot), built on the plain consumer API, which nats-server
 * 2.9 (Debian's) supports. Messages stream in continuously (low lag) into a small buffer the owner
 * takes batches from; the buffer's bound holds the stream back when the owner is slower. Delivery
 * sequences must follow each other, so a message lost on the way is noticed and read again, never skipped.
 */
export class SubjectReader {
  private expected = 1;
  private readonly buffer: JsMsg[] = [];
  private failure: Error | null = null;
  private wake: (() => void) | null = null;
  private room: (() => void) | null = null;
  private messages: ConsumerMessages | null = null;
  private pump: Promise<void> | null = null;

  private constructor(
    private readonly ctx: ScaleContext,
    private readonly stream: string,
    readonly name: string,
    private readonly bound: number,
  ) {}

  static async open(
    ctx: ScaleContext,
    stream: string,
    subject: string,
    afterSeq: number,
    bound = 1_000,
  ): Promise<SubjectReader> {
    const info = await ctx.jsm.consumers.add(stream, {
      filter_subject: subject,
      ack_policy: AckPolicy.None,
      inactive_threshold: 30_000_000_000,
      ...(afterSeq > 0
        ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: afterSeq + 1 }
        : { deliver_policy: DeliverPolicy.All }),
    });
    const reader = new SubjectReader(ctx, stream, info.name, bound);
    const consumer = await ctx.js.consumers.get(stream, info.name);
    reader.messages = await consumer.consume({ max_messages: Math.min(bound, 500) });
    reader.pump = reader.run();
    return reader;
  }

  private async run(): Promise<void> {
    try {
      for await (const m of this.messages!) {
        if (m.info.deliverySequence !== this.expected)
          throw new Error(`delivery ${m.info.deliverySequence} arrived where ${this.expected} was due`);
        this.expected++;
        this.buffer.push(m);
        this.wake?.();
        if (this.buffer.length >= this.bound) await new Promise<void>((r) => (this.room = r));
      }
      this.failure ??= new Error('the consumer stopped');
    } catch (err) {
      this.failure = err as Error;
    }
    this.wake?.();
  }

  /** Up to `max` messages, waiting up to `waitMs` when none are buffered; throws when reading broke. */
  async next(max: number, waitMs: number): Promise<JsMsg[]> {
    if (this.buffer.length === 0 && !this.failure) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, waitMs);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = null;
    }
    if (this.buffer.length === 0 && this.failure) throw this.failure;
    const out = this.buffer.splice(0, max);
    if (this.room && this.buffer.length < this.bound) {
      const room = this.room;
      this.room = null;
      room();
    }
    return out;
  }

  async close(): Promise<void> {
    this.failure ??= new Error('closed');
    this.messages?.stop();
    this.room?.();
    await this.pump?.catch(() => {});
    await this.ctx.jsm.consumers.delete(this.stream, this.name).catch(() => {});
  }
}
