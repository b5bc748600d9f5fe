// Stage zero (the ingest role): events, validated, go to their partitions' subjects. A batch's events
// for one partition are published as one message with a message id derived from where the batch came
// from, so a router that crashes after publishing and is handed the batch again publishes duplicates
// the stream drops (within its two-minute window). An event is acknowledged once every partition
// message holding it is stored in the stream.
import type { JetStreamClient } from 'nats';
import type { LifeguardEvent } from '@lifeguard/core';
import { partitionsFor, type ScaleNames } from './names.ts';

export class PartitionRouter {
  constructor(
    private readonly js: JetStreamClient,
    private readonly names: ScaleNames,
    readonly partitions: number,
  ) {
    if (!Number.isInteger(partitions) || partitions < 1 || partitions > 1024)
      throw new Error(`partitions must be a whole number from 1 to 1024 (got ${partitions})`);
  }

  /** Groups events by partition, keeping their order in each. */
  split(events: LifeguardEvent[]): Map<number, LifeguardEvent[]> {
    const groups = new Map<number, LifeguardEvent[]>();
    for (const e of events)
      for (const p of partitionsFor(e, this.partitions)) {
        const list = groups.get(p);
        if (list) list.push(e);
        else groups.set(p, [e]);
      }
    return groups;
  }

  /** Publishes and waits for the stream to store every part. `batchId` must identify the batch's source. */
  async route(tenant: string, events: LifeguardEvent[], batchId: string): Promise<{ duplicates: number }> {
    const acks = await Promise.all(
      [...this.split(events)].map(([p, list]) =>
        this.js.publish(this.names.partSubject(tenant, p), new TextEncoder().encode(JSON.stringify(list)), {
          msgID: `${batchId}.p${p}`,
        }),
      ),
    );
    return { duplicates: acks.filter((a) => a.duplicate).length };
  }
}
