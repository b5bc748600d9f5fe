// The worker role: takes a fair share of a tenant's partitions and, on one worker, the account stage.
// Workers announce themselves in a KV bucket with an expiry; every beat each renews its announcement,
// counts the live workers, hands back partitions beyond its share (snapshot, then release, so the
// taker restores with nothing to replay) and takes free or expired ones up to it. A partition whose
// owner died is free once its lease expires; its taker restores the last snapshot and replays.
import { AccountStage } from './accountStage.ts';
import type { ScaleContext } from './context.ts';
import { LeaseHeldError } from './lease.ts';
import { checkTenant } from './names.ts';
import { DEFAULT_OWNER_OPTIONS, type Owner, type OwnerOptions, type OwnerStatus } from './owner.ts';
import { PartitionOwner, type OutsideFactsSource } from './partitionOwner.ts';
import { RiskReadModel } from './readModel.ts';

export interface ScaleWorkerOptions {
  tenant: string;
  partitions: number;
  /** Take the account stage too (default true: whichever worker gets its lease runs it). */
  accountStage?: boolean;
  /** Own exactly these partitions, refusing to start when one is held (no rebalancing). */
  fixed?: number[];
  owner?: Partial<OwnerOptions>;
}

export interface WorkerStatus {
  holder: string;
  tenant: string;
  partitions: number;
  liveWorkers: number;
  owned: (OwnerStatus & { partition: number | 'accounts' })[];
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

export class ScaleWorker {
  readonly owners = new Map<number, PartitionOwner>();
  accounts: AccountStage | null = null;
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private liveWorkers = 1;
  private readonly ownerOptions: OwnerOptions;
  private stopped = false;
  /** The tenant's read model, whose facts each owned partition is told (what the others learnt). */
  private outside: OutsideFactsSource | null = null;
  private readModel: RiskReadModel | null = null;

  constructor(
    private readonly ctx: ScaleContext,
    private readonly options: ScaleWorkerOptions,
  ) {
    checkTenant(options.tenant);
    if (!Number.isInteger(options.partitions) || options.partitions < 1 || options.partitions > 1024)
      throw new Error(`partitions must be a whole number from 1 to 1024 (got ${options.partitions})`);
    this.ownerOptions = { ...DEFAULT_OWNER_OPTIONS, ...options.owner };
  }

  /** Starts; with `fixed`, a held partition stops the start with LeaseHeldError naming its holder. */
  async start(): Promise<void> {
    // A single-process detector for the tenant (serve without roles) excludes partitioned workers.
    const single = await this.ctx.leases.read(`detector.${this.options.tenant}`);
    if (single && !single.released && single.expiresAt > Date.now())
      throw new LeaseHeldError(`detector.${this.options.tenant}`, single.holder, single.epoch, single.expiresAt);
    const model = await RiskReadModel.openBucket(this.ctx.nc, this.ctx.names.riskBucket(this.options.tenant));
    this.readModel = model;
    this.outside = { model, subscribe: (listener) => model.subscribe(listener) };
    if (this.options.fixed) {
      for (const p of this.options.fixed) {
        if (!Number.isInteger(p) || p < 0 || p >= this.options.partitions)
          throw new Error(`partition ${p} does not exist (partitions: 0 to ${this.options.partitions - 1})`);
        await this.take(p, true);
      }
    } else await this.beat();
    this.timer = setInterval(
      () => {
        if (!this.beating) this.beating = this.beat().finally(() => (this.beating = null));
      },
      Math.max(50, this.ownerOptions.leaseTtlMs / 3),
    );
  }

  private async take(p: number, strict: boolean): Promise<boolean> {
    const owner = new PartitionOwner(this.ctx, this.options.tenant, p, this.ownerOptions, this.outside);
    try {
      await owner.start();
    } catch (err) {
      if (strict || !(err instanceof LeaseHeldError)) {
        if (strict) throw err;
        this.ctx.log.error({ partition: p, err: (err as Error).message }, 'could not take a partition');
      }
      return false;
    }
    owner.onStopped = () => {
      if (this.owners.get(p) === owner) this.owners.delete(p);
    };
    this.owners.set(p, owner);
    return true;
  }

  private async beat(): Promise<void> {
    if (this.stopped) return;
    const { workers, holder } = this.ctx;
    const ttl = this.ownerOptions.leaseTtlMs;
    try {
      await workers.put(holder.replace(/[^-/_=.A-Za-z0-9]/g, '_'), enc({ holder, expiresAt: Date.now() + ttl }));
      let live = 0;
      const names: string[] = [];
      for await (const k of await workers.keys()) names.push(k);
      for (const k of names) {
        const e = await workers.get(k);
        if (e?.operation !== 'PUT') continue;
        const w = JSON.parse(new TextDecoder().decode(e.value)) as { expiresAt: number };
        if (w.expiresAt > Date.now()) live++;
      }
      this.liveWorkers = Math.max(1, live);
    } catch (err) {
      this.ctx.log.error({ err: (err as Error).message }, 'worker heartbeat failed');
      return;
    }
    if (this.options.fixed) {
      // Fixed ownership: take back a partition lost to a failure (never one a live worker holds).
      for (const p of this.options.fixed) if (!this.owners.has(p)) await this.take(p, false);
    } else {
      const share = Math.ceil(this.options.partitions / this.liveWorkers);
      // Over the share (a worker joined): hand back the highest-numbered partitions.
      const mine = [...this.owners.keys()].sort((a, b) => b - a);
      for (const p of mine.slice(0, Math.max(0, mine.length - share))) {
        const owner = this.owners.get(p)!;
        this.owners.delete(p);
        await owner.stop();
      }
      // Under it: take free partitions, starting at a place that differs per worker to avoid collisions.
      const start = [...holder].reduce((h, c) => (h * 31 + c.charCodeAt(0)) >>> 0, 7) % this.options.partitions;
      for (let i = 0; i < this.options.partitions && this.owners.size < share; i++) {
        const p = (start + i) % this.options.partitions;
        if (this.owners.has(p)) continue;
        const lease = await this.ctx.leases.read(`detector.${this.options.tenant}.p${p}`).catch(() => null);
        if (lease && !lease.released && lease.expiresAt > Date.now() && lease.holder !== holder) continue;
        await this.take(p, false);
      }
    }
    if (this.options.accountStage !== false && this.accounts?.state !== 'running') {
      const stage = new AccountStage(this.ctx, this.options.tenant, this.ownerOptions);
      try {
        await stage.start();
        this.accounts = stage;
      } catch (err) {
        if (!(err instanceof LeaseHeldError))
          this.ctx.log.error({ err: (err as Error).message }, 'could not take the account stage');
      }
    }
  }

  status(): WorkerStatus {
    const owned: WorkerStatus['owned'] = [...this.owners]
      .sort((a, b) => a[0] - b[0])
      .map(([partition, o]) => ({ partition, ...o.status() }));
    if (this.accounts?.state === 'running') owned.push({ partition: 'accounts', ...this.accounts.status() });
    return {
      holder: this.ctx.holder,
      tenant: this.options.tenant,
      partitions: this.options.partitions,
      liveWorkers: this.liveWorkers,
      owned,
    };
  }

  /** Hands everything back (snapshot and release), so others take over with nothing to replay. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    const all: Owner[] = [...this.owners.values()];
    if (this.accounts) all.push(this.accounts);
    await Promise.all(all.map((o) => o.stop()));
    this.owners.clear();
    await this.readModel?.close();
    await this.ctx.workers.delete(this.ctx.holder.replace(/[^-/_=.A-Za-z0-9]/g, '_')).catch(() => {});
  }

  /** Stops beating and closes the connection without snapshot or release, as a crash would (tests). */
  async abandon(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.readModel?.close();
    await this.ctx.nc.close().catch(() => {});
  }
}
