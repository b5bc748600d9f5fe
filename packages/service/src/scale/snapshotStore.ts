// Snapshots of a partition's (or the account stage's) state: the bytes go to a JetStream object store
// under a name carrying the epoch and position, and a small pointer in KV says which one is current.
// The pointer is written by compare-and-set on its revision, and a new owner rewrites it when it takes
// over, so a previous owner's snapshot (written after it lost the lease) never becomes current.
import type { KV, ObjectStore } from 'nats';
import { FencedError } from './fencedLog.ts';

export interface SnapshotPointer {
  /** Object name, or null before the first snapshot. */
  object: string | null;
  /** Position the snapshot covers (a stream sequence; 0: nothing). */
  seq: number;
  epoch: number;
  holder: string;
  createdAt: number;
}

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));
const dec = <T>(b: Uint8Array): T => JSON.parse(new TextDecoder().decode(b)) as T;

export class SnapshotStore {
  private revision = 0;

  constructor(
    private readonly pointers: KV,
    private readonly objects: ObjectStore,
    readonly key: string,
  ) {}

  /** Reads the current snapshot and claims the pointer for `epoch` (fencing the previous owner). */
  async claim(epoch: number, holder: string): Promise<{ pointer: SnapshotPointer; data: Uint8Array | null }> {
    const entry = await this.pointers.get(this.key);
    const current: SnapshotPointer | null = entry && entry.operation === 'PUT' ? dec(entry.value) : null;
    let data: Uint8Array | null = null;
    if (current?.object) {
      data = await this.objects.getBlob(current.object);
      if (!data) throw new Error(`snapshot ${current.object} named by ${this.key} is missing from the object store`);
    }
    const claimed: SnapshotPointer = {
      object: current?.object ?? null,
      seq: current?.seq ?? 0,
      epoch,
      holder,
      createdAt: current?.createdAt ?? Date.now(),
    };
    try {
      this.revision = entry
        ? await this.pointers.update(this.key, enc(claimed), entry.revision)
        : await this.pointers.create(this.key, enc(claimed));
    } catch (err) {
      throw new FencedError(`snapshot pointer ${this.key}`, `claim lost a race: ${(err as Error).message}`);
    }
    return { pointer: claimed, data };
  }

  /** Stores a snapshot covering `seq`; FencedError when a newer owner claimed the pointer since. */
  async save(epoch: number, holder: string, seq: number, data: Uint8Array): Promise<void> {
    const object = `${this.key}.e${epoch}.s${seq}`;
    await this.objects.putBlob({ name: object }, data);
    const pointer: SnapshotPointer = { object, seq, epoch, holder, createdAt: Date.now() };
    const previous = await this.pointers.get(this.key);
    try {
      this.revision = await this.pointers.update(this.key, enc(pointer), this.revision);
    } catch (err) {
      await this.objects.delete(object).catch(() => {});
      throw new FencedError(`snapshot pointer ${this.key}`, (err as Error).message);
    }
    // The previous snapshot is no longer needed.
    const old = previous && previous.operation === 'PUT' ? dec<SnapshotPointer>(previous.value).object : null;
    if (old && old !== object) await this.objects.delete(old).catch(() => {});
  }
}
