// Ingestion: store first, then feed the engine. Requests for one tenant are written by a single writer
// that groups the batches waiting while the previous commit ran into one transaction (group commit):
// one durable commit serves many requests, and each tenant's seqs increase in commit order, which the
// engine's replay relies on.
//
// Fairness and back-pressure: waiting batches are queued per client (API key), and a group takes one
// batch from each client in turn, so a client sending many batches cannot push the others' behind all
// of its own. The queue is bounded per tenant, and one client may hold at most half of it: past that,
// submit throws IngestBusyError with a Retry-After estimated from the recent commit rate, and the
// request answers 429 instead of waiting longer and longer.
import type { LifeguardEvent } from '@lifeguard/core';
import type { AppendResult, Storage, StoredEvent } from '@lifeguard/storage';
import type { EngineHost } from '../engine/engineHost.ts';

interface Job {
  client: string;
  events: LifeguardEvent[];
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
}

interface TenantQueue {
  /** Waiting jobs per client, in arrival order; a client is removed when it has none. */
  byClient: Map<string, Job[]>;
  /** Events waiting, in all and per client. */
  events: number;
  eventsByClient: Map<string, number>;
  /** Jobs whose group failed, written one by one before anything else (see drain). */
  alone: Job[];
  running: boolean;
  /** Set while a running drain waits for its last feed with nothing queued: a new batch calls it. */
  wake: (() => void) | null;
  /** Events committed per second, smoothed (for Retry-After). */
  rate: number;
}

export interface IngestOptions {
  /** Most events written in one transaction (several requests' batches together). */
  maxGroupEvents?: number;
  /** Most events waiting per tenant (default 8,000); one client may hold half. Past it: 429. */
  maxQueuedEvents?: number;
}

/** The tenant's queue (or the client's share of it) is full: answer 429 with Retry-After. */
export class IngestBusyError extends Error {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message);
    this.name = 'IngestBusyError';
  }
}

export class IngestPipeline {
  private readonly queues = new Map<string, TenantQueue>();
  private readonly maxGroupEvents: number;
  /** Told of every accepted group after it is stored and fed (Family Centre); must not throw. */
  onAccepted: ((tenantId: string, events: LifeguardEvent[]) => void) | null = null;
  private readonly maxQueuedEvents: number;

  constructor(
    private readonly storage: Storage,
    private readonly engines: EngineHost,
    options: IngestOptions = {},
    private readonly log: { error(obj: object, msg: string): void } = console,
  ) {
    this.maxGroupEvents = options.maxGroupEvents ?? 2_000;
    this.maxQueuedEvents = options.maxQueuedEvents ?? 8_000;
  }

  /**
   * Stores the events durably and resolves with one status per event once they are committed and
   * seen by the engine. Rejects (nothing from this call stored) if the store fails, and throws
   * IngestBusyError at once when the tenant's queue, or this client's share of it, is full.
   */
  submit(tenantId: string, events: LifeguardEvent[], client = 'default'): Promise<AppendResult> {
    let queue = this.queues.get(tenantId);
    if (!queue) {
      queue = {
        byClient: new Map(),
        events: 0,
        eventsByClient: new Map(),
        alone: [],
        running: false,
        wake: null,
        rate: 0,
      };
      this.queues.set(tenantId, queue);
    }
    const mine = queue.eventsByClient.get(client) ?? 0;
    // An empty queue takes any batch, however large, so no valid batch is refused for ever.
    if (
      queue.events > 0 &&
      (queue.events + events.length > this.maxQueuedEvents || mine + events.length > this.maxQueuedEvents / 2)
    ) {
      const retry = Math.min(30, Math.max(1, Math.ceil(queue.events / Math.max(queue.rate, 1))));
      const whose = mine + events.length > this.maxQueuedEvents / 2 ? 'this client has' : 'this tenant has';
      return Promise.reject(
        new IngestBusyError(
          `${whose} too many events waiting to be stored (${queue.events} in all); retry after ${retry} s`,
          retry,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      this.enqueue(queue, { client, events, resolve, reject });
      queue.wake?.();
      if (!queue.running) {
        queue.running = true;
        // Let requests parsed in the same turn of the event loop join this group.
        setImmediate(() => void this.drain(tenantId, queue));
      }
    });
  }

  private enqueue(queue: TenantQueue, job: Job): void {
    const list = queue.byClient.get(job.client);
    if (list) list.push(job);
    else queue.byClient.set(job.client, [job]);
    queue.events += job.events.length;
    queue.eventsByClient.set(job.client, (queue.eventsByClient.get(job.client) ?? 0) + job.events.length);
  }

  private dequeued(queue: TenantQueue, job: Job): void {
    queue.events -= job.events.length;
    const left = (queue.eventsByClient.get(job.client) ?? 0) - job.events.length;
    if (left > 0) queue.eventsByClient.set(job.client, left);
    else queue.eventsByClient.delete(job.client);
  }

  /** The next group: one job from each client in turn (round robin), up to maxGroupEvents. */
  private nextGroup(queue: TenantQueue): Job[] {
    const retry = queue.alone.shift();
    if (retry) return [retry];
    const group: Job[] = [];
    let count = 0;
    while (queue.byClient.size > 0) {
      let took = false;
      for (const [client, jobs] of queue.byClient) {
        const job = jobs[0]!;
        if (group.length > 0 && count + job.events.length > this.maxGroupEvents) continue;
        jobs.shift();
        if (jobs.length === 0) queue.byClient.delete(client);
        else {
          // This client goes to the back of the rotation for the next round and the next group.
          queue.byClient.delete(client);
          queue.byClient.set(client, jobs);
        }
        this.dequeued(queue, job);
        group.push(job);
        count += job.events.length;
        took = true;
        break;
      }
      if (!took) break;
    }
    return group;
  }

  /**
   * Writes groups one after another and feeds each to the engine while the next one is being committed
   * (pipelining): the store's commit (a writer thread or the database server) and the engine (this
   * thread) work at the same time instead of in turn. Feeding stays in commit order, so the engine sees
   * seqs in order, and at most one committed group waits to be fed, which bounds the engine's backlog.
   */
  private async drain(tenantId: string, queue: TenantQueue): Promise<void> {
    let feeding: Promise<void> = Promise.resolve();
    for (;;) {
      if (queue.byClient.size === 0 && queue.alone.length === 0) {
        // Nothing to write: wait for the last feed to end, or for a new batch to commit meanwhile.
        let fed = false;
        await Promise.race([
          feeding.then(() => {
            fed = true;
          }),
          new Promise<void>((resolve) => {
            queue.wake = resolve;
          }),
        ]);
        queue.wake = null;
        if (fed && queue.byClient.size === 0 && queue.alone.length === 0) break;
        continue;
      }
      const group = this.nextGroup(queue);
      const all = group.flatMap((j) => j.events);
      const started = Date.now();
      let result: AppendResult;
      try {
        result = await this.storage.appendEvents(tenantId, all, Date.now());
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err);
        // One request's batch must not fail the others it was grouped with: retry each on its own.
        else queue.alone.push(...group);
        continue;
      }
      await feeding;
      feeding = this.feedAndAnswer(tenantId, queue, group, all, result, started);
    }
    queue.running = false;
  }

  /**
   * Feeds what was accepted, in seq order, then answers the group's requests: feeding before answering
   * bounds the engine's backlog and lets a decision right after an ingest see its effect. Never rejects.
   */
  private async feedAndAnswer(
    tenantId: string,
    queue: TenantQueue,
    group: Job[],
    all: LifeguardEvent[],
    result: AppendResult,
    started: number,
  ): Promise<void> {
    const stored: StoredEvent[] = [];
    const receivedAt = Date.now();
    all.forEach((event, i) => {
      const seq = result.seqs[i];
      if (seq != null) stored.push({ seq, event, receivedAt, textPurged: false });
    });
    try {
      await this.engines.feed(tenantId, stored);
    } catch (err) {
      // Stored is acknowledged; the engine catches up on restart by replay.
      this.log.error({ err, tenantId }, 'engine feed failed after a durable commit');
    }
    if (this.onAccepted) {
      try {
        this.onAccepted(
          tenantId,
          stored.map((s) => s.event),
        );
      } catch (err) {
        this.log.error({ err, tenantId }, 'onAccepted failed after a durable commit');
      }
    }
    const perSecond = all.length / Math.max((Date.now() - started) / 1000, 0.001);
    queue.rate = queue.rate === 0 ? perSecond : 0.8 * queue.rate + 0.2 * perSecond;
    let offset = 0;
    for (const job of group) {
      const n = job.events.length;
      job.resolve({
        statuses: result.statuses.slice(offset, offset + n),
        seqs: result.seqs.slice(offset, offset + n),
      });
      offset += n;
    }
  }
}
