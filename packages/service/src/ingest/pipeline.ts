// Ingestion: store first, then feed the engine. Requests for one tenant are written by a single writer
// that groups the batches waiting while the previous commit ran into one transaction (group commit):
// one durable commit serves many requests, and each tenant's seqs increase in commit order, which the
// engine's replay relies on.
import type { LifeguardEvent } from '@lifeguard/core';
import type { AppendResult, Storage, StoredEvent } from '@lifeguard/storage';
import type { EngineHost } from '../engine/engineHost.ts';

interface Job {
  events: LifeguardEvent[];
  resolve(result: AppendResult): void;
  reject(err: unknown): void;
  /** Written in a transaction of its own: its group's commit failed, and this job may be the cause. */
  alone?: boolean;
}

interface TenantQueue {
  waiting: Job[];
  running: boolean;
}

export interface IngestOptions {
  /** Most events written in one transaction (several requests' batches together). */
  maxGroupEvents?: number;
}

export class IngestPipeline {
  private readonly queues = new Map<string, TenantQueue>();
  private readonly maxGroupEvents: number;
  /** Told of every accepted group after it is stored and fed (Family Centre); must not throw. */
  onAccepted: ((tenantId: string, events: LifeguardEvent[]) => void) | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly engines: EngineHost,
    options: IngestOptions = {},
    private readonly log: { error(obj: object, msg: string): void } = console,
  ) {
    this.maxGroupEvents = options.maxGroupEvents ?? 2_000;
  }

  /**
   * Stores the events durably and resolves with one status per event once they are committed and
   * seen by the engine. Rejects (nothing from this call stored) if the store fails.
   */
  submit(tenantId: string, events: LifeguardEvent[]): Promise<AppendResult> {
    return new Promise((resolve, reject) => {
      let queue = this.queues.get(tenantId);
      if (!queue) {
        queue = { waiting: [], running: false };
        this.queues.set(tenantId, queue);
      }
      queue.waiting.push({ events, resolve, reject });
      if (!queue.running) {
        queue.running = true;
        // Let requests parsed in the same turn of the event loop join this group.
        setImmediate(() => void this.drain(tenantId, queue));
      }
    });
  }

  private async drain(tenantId: string, queue: TenantQueue): Promise<void> {
    while (queue.waiting.length > 0) {
      const group: Job[] = [];
      let count = 0;
      while (queue.waiting.length > 0 && (group.length === 0 || (!group[0]!.alone && !queue.waiting[0]!.alone && count + queue.waiting[0]!.events.length <= this.maxGroupEvents))) {
        const job = queue.waiting.shift()!;
        group.push(job);
        count += job.events.length;
      }
      const all = group.flatMap((j) => j.events);
      let result: AppendResult;
      try {
        result = await this.storage.appendEvents(tenantId, all, Date.now());
      } catch (err) {
        if (group.length === 1) group[0]!.reject(err);
        // One request's batch must not fail the others it was grouped with: retry each on its own.
        else queue.waiting.unshift(...group.map((job) => ({ ...job, alone: true })));
        continue;
      }
      // Feed what was accepted, in seq order, before answering: this bounds the engine's backlog and
      // lets a decision right after an ingest see its effect.
      const stored: StoredEvent[] = [];
      all.forEach((event, i) => {
        const seq = result.seqs[i];
        if (seq != null) stored.push({ seq, event, receivedAt: Date.now(), textPurged: false });
      });
      try {
        await this.engines.feed(tenantId, stored);
      } catch (err) {
        // Stored is acknowledged; the engine catches up on restart by replay.
        this.log.error({ err, tenantId }, 'engine feed failed after a durable commit');
      }
      if (this.onAccepted) this.onAccepted(tenantId, stored.map((s) => s.event));
      let offset = 0;
      for (const job of group) {
        const n = job.events.length;
        job.resolve({ statuses: result.statuses.slice(offset, offset + n), seqs: result.seqs.slice(offset, offset + n) });
        offset += n;
      }
    }
    queue.running = false;
  }
}
