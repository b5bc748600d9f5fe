// Helpers that drive a partitioned tenant in one test process: route events, start workers, wait until
// every partition and the account stage have applied everything in the streams.
import { DetectionEngine, type LifeguardEvent } from '@lifeguard/core';
import type { ScaleContext } from '../../src/scale/context.ts';
import { lastSubjectSeq } from '../../src/scale/fencedLog.ts';
import { PartitionRouter } from '../../src/scale/router.ts';
import type { ScaleWorker } from '../../src/scale/worker.ts';
import { waitFor } from './natsTestEnv.ts';

export async function routeAll(
  ctx: ScaleContext,
  tenant: string,
  partitions: number,
  events: LifeguardEvent[],
  batch = 10,
  idPrefix = 'b',
): Promise<void> {
  const router = new PartitionRouter(ctx.js, ctx.names, partitions);
  for (let i = 0; i < events.length; i += batch) {
    // A producer retries a batch it got no acknowledgement for (NATS restarting); the same batch id
    // makes a retry of parts already stored a duplicate the stream drops.
    for (let attempt = 1; ; attempt++) {
      try {
        await router.route(tenant, events.slice(i, i + batch), `${idPrefix}${i}`);
        break;
      } catch (err) {
        if (attempt >= 100) throw err;
        await new Promise((r) => setTimeout(r, 200));
      }
    }
  }
}

/** Waits until the workers own every partition and the account stage, and all have applied everything. */
export async function waitCaughtUp(
  ctx: ScaleContext,
  tenant: string,
  partitions: number,
  workers: ScaleWorker[],
  ms = 30_000,
): Promise<void> {
  await waitFor(
    'every partition and the account stage to apply everything',
    async () => {
      const owners = workers.flatMap((w) => [...w.owners.values()].filter((o) => o.state === 'running'));
      if (owners.length !== partitions) return false;
      for (const o of owners) {
        const last = await lastSubjectSeq(ctx.jsm, ctx.names.partStream, ctx.names.partSubject(tenant, o.partition));
        if (o.status().appliedSeq < last) return false;
      }
      const stage = workers.map((w) => w.accounts).find((a) => a?.state === 'running');
      if (!stage) return false;
      const info = await ctx.jsm.streams.info(ctx.names.resultStream, {
        subjects_filter: ctx.names.resultSubjects(tenant),
      });
      return stage.status().appliedSeq >= info.state.last_seq;
    },
    ms,
  );
}

/** The same events through one engine in one process. */
export function singleProcess(events: LifeguardEvent[]): DetectionEngine {
  const engine = new DetectionEngine();
  for (const e of events) engine.process(e);
  return engine;
}
