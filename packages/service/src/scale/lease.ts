// Ownership by lease in NATS KV. A lease names its holder, an epoch and an expiry; it is taken with
// create (none yet) or compare-and-set on the entry's revision (expired, or released), so two workers
// racing for one partition cannot both win: the second's write fails on the revision. Every takeover
// raises the epoch. The lease alone does not stop a worker that was paused past its expiry from writing
// when it wakes; the writes it makes are fenced separately (FencedLog, SnapshotStore) by
// compare-and-set on what the new owner wrote when it took over.
import type { KV, KvEntry } from 'nats';

export interface LeaseRecord {
  holder: string;
  epoch: number;
  /** Wall-clock expiry, ms since the epoch. Holders renew at a third of the time to live. */
  expiresAt: number;
  /** Set when the holder handed it back on purpose (another may take it at once). */
  released?: boolean;
}

export interface Lease extends LeaseRecord {
  name: string;
  revision: number;
}

/** Someone else holds the lease: says who, with which epoch, until when. */
export class LeaseHeldError extends Error {
  constructor(
    readonly lease: string,
    readonly holder: string,
    readonly epoch: number,
    readonly expiresAt: number,
  ) {
    super(
      `${lease} is owned by ${holder} (epoch ${epoch}) until ${new Date(expiresAt).toISOString()}; ` +
        'refusing to start a second owner (that would split the detector)',
    );
    this.name = 'LeaseHeldError';
  }
}

/** The holder's lease was taken over (or its renewal failed after expiry): it must stop writing. */
export class LeaseLostError extends Error {
  constructor(lease: string, reason: string) {
    super(`lost the lease ${lease}: ${reason}`);
    this.name = 'LeaseLostError';
  }
}

const decode = (e: KvEntry): LeaseRecord => JSON.parse(new TextDecoder().decode(e.value)) as LeaseRecord;
const encode = (r: LeaseRecord) => new TextEncoder().encode(JSON.stringify(r));
/** KV keys allow only [-/_=.A-Za-z0-9]. */
const keyOf = (name: string) => name.replace(/[^-/_=.A-Za-z0-9]/g, '_');

export class LeaseStore {
  constructor(
    private readonly kv: KV,
    /** Tests move the clock to expire leases without waiting. */
    private readonly now: () => number = Date.now,
  ) {}

  /** The current lease, or null when nobody ever took it. */
  async read(name: string): Promise<Lease | null> {
    const e = await this.kv.get(keyOf(name));
    if (e?.operation !== 'PUT') return null;
    return { ...decode(e), name, revision: e.revision };
  }

  /** Takes the lease, or throws LeaseHeldError naming the live holder. */
  async acquire(name: string, holder: string, ttlMs: number): Promise<Lease> {
    const key = keyOf(name);
    const current = await this.kv.get(key);
    const now = this.now();
    if (current?.operation !== 'PUT') {
      const record: LeaseRecord = { holder, epoch: 1, expiresAt: now + ttlMs };
      try {
        const revision = await this.kv.create(key, encode(record));
        return { ...record, name, revision };
      } catch {
        return this.heldOrRetry(name, holder);
      }
    }
    const was = decode(current);
    // A holder restarting under the same name still gets a new epoch: its old incarnation is fenced too.
    if (was.holder !== holder && !was.released && was.expiresAt > now)
      throw new LeaseHeldError(name, was.holder, was.epoch, was.expiresAt);
    const record: LeaseRecord = { holder, epoch: was.epoch + 1, expiresAt: now + ttlMs };
    try {
      const revision = await this.kv.update(key, encode(record), current.revision);
      return { ...record, name, revision };
    } catch {
      return this.heldOrRetry(name, holder);
    }
  }

  /** Lost a race: whoever won holds it now. */
  private async heldOrRetry(name: string, holder: string): Promise<Lease> {
    const now = await this.read(name);
    if (now && now.holder !== holder && !now.released && now.expiresAt > this.now())
      throw new LeaseHeldError(name, now.holder, now.epoch, now.expiresAt);
    throw new Error(`lease ${name} changed while taking it; try again`);
  }

  /** Extends the lease; LeaseLostError when anyone wrote it since (a takeover), or it already expired. */
  async renew(lease: Lease, ttlMs: number): Promise<Lease> {
    const now = this.now();
    if (lease.expiresAt <= now) throw new LeaseLostError(lease.name, 'it expired before it was renewed');
    const record: LeaseRecord = { holder: lease.holder, epoch: lease.epoch, expiresAt: now + ttlMs };
    try {
      const revision = await this.kv.update(keyOf(lease.name), encode(record), lease.revision);
      return { ...record, name: lease.name, revision };
    } catch {
      const now = await this.read(lease.name);
      throw new LeaseLostError(lease.name, now ? `now held by ${now.holder} (epoch ${now.epoch})` : 'it was removed');
    }
  }

  /** Hands the lease back so another worker may take it at once (rebalancing, shutdown). */
  async release(lease: Lease): Promise<void> {
    const record: LeaseRecord = { holder: lease.holder, epoch: lease.epoch, expiresAt: this.now(), released: true };
    await this.kv.update(keyOf(lease.name), encode(record), lease.revision).catch(() => {});
  }
}
