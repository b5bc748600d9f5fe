// A per-owner append-only subject fenced by JetStream's expected-last-subject-sequence: each append
// names the sequence of the previous message on the subject, so the server refuses it if anyone else
// appended since. A new owner appends a claim first, which makes the next append of a previous owner
// (paused past its lease, then woken) fail, whatever it believes about its lease.
import type { JetStreamClient, JetStreamManager } from 'nats';

export class FencedError extends Error {
  constructor(what: string, detail: string) {
    super(`${what}: fenced off, a newer owner wrote since (${detail}); this worker must stop writing`);
    this.name = 'FencedError';
  }
}

const json = (value: unknown) => new TextEncoder().encode(JSON.stringify(value));

/** The sequence of the last message on a subject (0 when none). */
export async function lastSubjectSeq(jsm: JetStreamManager, stream: string, subject: string): Promise<number> {
  try {
    const m = await jsm.streams.getMessage(stream, { last_by_subj: subject });
    return m.seq;
  } catch (err) {
    if (/no message found|not found/i.test((err as Error).message)) return 0;
    throw err;
  }
}

export class FencedLog {
  private constructor(
    private readonly js: JetStreamClient,
    readonly subject: string,
    private last: number,
  ) {}

  /** Claims the subject for `epoch`: appends a claim after whatever is there now. */
  static async claim(
    js: JetStreamClient,
    jsm: JetStreamManager,
    stream: string,
    subject: string,
    epoch: number,
    holder: string,
    /** Where the new owner starts from (what its snapshot covers). */
    fromSeq: number,
  ): Promise<FencedLog> {
    const last = await lastSubjectSeq(jsm, stream, subject);
    const log = new FencedLog(js, subject, last);
    await log.append({ claim: { epoch, holder, fromSeq } });
    return log;
  }

  /** Appends one message; FencedError when another owner appended since. */
  async append(value: unknown): Promise<number> {
    try {
      const ack = await this.js.publish(this.subject, json(value), { expect: { lastSubjectSequence: this.last } });
      this.last = ack.seq;
      return ack.seq;
    } catch (err) {
      if (/wrong last sequence/i.test((err as Error).message))
        throw new FencedError(this.subject, (err as Error).message);
      throw err;
    }
  }
}
