// The life of one owned unit of work (a partition, or a tenant's account stage): take the lease,
// restore from the last snapshot, replay the stream from the snapshot's position, keep the lease
// renewed, and stop writing the moment the lease is lost or a write is fenced.
import type { JsMsg } from 'nats';
import type { ScaleContext } from './context.ts';
import { SubjectReader } from './subjectReader.ts';
import { FencedError } from './fencedLog.ts';
import { LeaseLostError, type Lease } from './lease.ts';
import { SnapshotStore } from './snapshotStore.ts';

export interface OwnerOptions {
  leaseTtlMs: number;
  /** Snapshot after this many applied messages, or this long after a change. */
  snapshotEveryMessages: number;
  snapshotEveryMs: number;
  /** Messages fetched (and results published) together. */
  batch: number;
}

export const DEFAULT_OWNER_OPTIONS: OwnerOptions = {
  leaseTtlMs: 10_000,
  snapshotEveryMessages: 20_000,
  snapshotEveryMs: 30_000,
  batch: 500,
};

export interface OwnerStatus {
  lease: string;
  epoch: number;
  /** Last stream sequence applied. */
  appliedSeq: number;
  /** Messages in the stream not yet applied (as of the last fetch). */
  pending: number;
  /** Age of the last applied message when it was applied (end-to-end lag), ms. */
  lagMs: number;
  applied: number;
  state: 'running' | 'stopped' | 'lost' | 'failed';
}

const tick = () => new Promise<void>((r) => setImmediate(r));

export abstract class Owner {
  protected lease!: Lease;
  protected snapshots: SnapshotStore;
  protected appliedSeq = 0;
  private sinceSnapshot = 0;
  private lastSnapshotAt = Date.now();
  private running = false;
  private loop: Promise<void> | null = null;
  private renewTimer: NodeJS.Timeout | null = null;
  private pending = 0;
  private lagMs = 0;
  private applied = 0;
  state: OwnerStatus['state'] = 'stopped';
  /** Called once when the owner stops on its own (lease lost, fenced, failure). */
  onStopped: ((reason: Error) => void) | null = null;

  constructor(
    protected readonly ctx: ScaleContext,
    readonly leaseName: string,
    snapshotKey: string,
    private readonly stream: string,
    private readonly subject: string,
    protected readonly options: OwnerOptions,
  ) {
    this.snapshots = new SnapshotStore(ctx.pointers, ctx.objects, snapshotKey);
  }

  /** Restores state from a snapshot (null: start empty). */
  protected abstract restoreState(data: Uint8Array | null): void;
  /** Claims the owner's output for the new epoch (fences the previous owner). */
  protected abstract claimOutput(epoch: number): Promise<void>;
  /** Applies one fetched batch and writes its output (fenced). */
  protected abstract applyBatch(messages: JsMsg[]): Promise<void>;
  protected abstract snapshotState(): Uint8Array;
  /** Work between two fetched batches, fenced like a batch (partition owners fold in outside facts). */
  protected async betweenBatches(): Promise<void> {}
  /** Called once when the owner stops, whatever the reason. */
  protected onStop(): void {}

  /** Takes the lease (LeaseHeldError names the holder), restores, and starts consuming. */
  async start(): Promise<void> {
    this.lease = await this.ctx.leases.acquire(this.leaseName, this.ctx.holder, this.options.leaseTtlMs);
    try {
      const { pointer, data } = await this.snapshots.claim(this.lease.epoch, this.ctx.holder);
      this.restoreState(data);
      this.appliedSeq = pointer.seq;
      await this.claimOutput(this.lease.epoch);
    } catch (err) {
      await this.ctx.leases.release(this.lease);
      throw err;
    }
    this.state = 'running';
    this.running = true;
    this.renewTimer = setInterval(() => void this.renew(), Math.max(50, this.options.leaseTtlMs / 3));
    this.loop = this.consume();
    this.ctx.log.info(
      { lease: this.leaseName, epoch: this.lease.epoch, fromSeq: this.appliedSeq },
      'took ownership; replaying from the snapshot',
    );
  }

  get epoch(): number {
    return this.lease.epoch;
  }

  status(): OwnerStatus {
    return {
      lease: this.leaseName,
      epoch: this.lease?.epoch ?? 0,
      appliedSeq: this.appliedSeq,
      pending: this.pending,
      lagMs: this.lagMs,
      applied: this.applied,
      state: this.state,
    };
  }

  private async renew(): Promise<void> {
    if (!this.running) return;
    try {
      this.lease = await this.ctx.leases.renew(this.lease, this.options.leaseTtlMs);
    } catch (err) {
      if (err instanceof LeaseLostError) this.halt(err, 'lost');
      // A transient NATS error: the next renewal tries again; expiry is checked before each write.
    }
  }

  private halt(reason: Error, state: OwnerStatus['state']): void {
    if (!this.running) return;
    this.running = false;
    this.state = state;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.onStop();
    this.ctx.log.error({ lease: this.leaseName, epoch: this.lease.epoch, err: reason.message }, 'stopped owning');
    this.onStopped?.(reason);
  }

  /** Before each write: a lease that has expired by our clock is treated as lost (belt and braces with fencing). */
  protected checkLease(): void {
    if (this.lease.expiresAt <= Date.now())
      throw new LeaseLostError(this.leaseName, 'it expired (this worker was paused or partitioned)');
  }

  private async consume(): Promise<void> {
    let reader: SubjectReader | null = null;
    while (this.running) {
      let messages: JsMsg[];
      try {
        reader ??= await SubjectReader.open(this.ctx, this.stream, this.subject, this.appliedSeq);
        messages = await reader.next(this.options.batch, 1_000);
      } catch (err) {
        if (!this.running) break;
        this.ctx.log.error({ lease: this.leaseName, err: (err as Error).message }, 'fetching failed; retrying');
        // Again from what was applied: nothing after it has been folded in.
        await reader?.close();
        reader = null;
        await new Promise((r) => setTimeout(r, 500));
        continue;
      }
      if (!this.running) break;
      try {
        await this.betweenBatches();
        if (messages.length === 0) {
          this.pending = 0;
          await this.maybeSnapshot(true);
          continue;
        }
        this.checkLease();
        await this.applyBatch(messages);
        const last = messages[messages.length - 1]!;
        this.appliedSeq = last.seq;
        this.pending = last.info.pending;
        this.lagMs = Math.max(0, Date.now() - last.info.timestampNanos / 1e6);
        this.applied += messages.length;
        this.sinceSnapshot += messages.length;
        await this.maybeSnapshot(false);
        await tick();
      } catch (err) {
        // The batch may be half folded into memory, or its output half written: this owner stops, and
        // ownership is taken again from the last snapshot (which replays the batch exactly once).
        this.halt(err as Error, err instanceof FencedError || err instanceof LeaseLostError ? 'lost' : 'failed');
        break;
      }
    }
    await reader?.close();
  }

  private async maybeSnapshot(idle: boolean): Promise<void> {
    if (this.sinceSnapshot === 0) return;
    const due =
      this.sinceSnapshot >= this.options.snapshotEveryMessages ||
      Date.now() - this.lastSnapshotAt >= this.options.snapshotEveryMs ||
      (idle && Date.now() - this.lastSnapshotAt >= this.options.snapshotEveryMs / 4);
    if (due) await this.saveSnapshot();
  }

  protected async saveSnapshot(): Promise<void> {
    this.checkLease();
    await this.snapshots.save(this.lease.epoch, this.ctx.holder, this.appliedSeq, this.snapshotState());
    this.sinceSnapshot = 0;
    this.lastSnapshotAt = Date.now();
  }

  /** Graceful hand-back: finish the batch in hand, snapshot, release the lease. */
  async stop(): Promise<void> {
    const wasRunning = this.running;
    this.running = false;
    if (this.renewTimer) clearInterval(this.renewTimer);
    this.onStop();
    await this.loop?.catch(() => {});
    if (wasRunning) {
      try {
        if (this.sinceSnapshot > 0) await this.saveSnapshot();
        await this.ctx.leases.release(this.lease);
      } catch (err) {
        this.ctx.log.error(
          { lease: this.leaseName, err: (err as Error).message },
          'hand-back failed; the lease will expire',
        );
      }
    }
    this.state = this.state === 'running' ? 'stopped' : this.state;
  }
}
