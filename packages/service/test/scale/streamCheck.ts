// Reads what partitioned detection left in NATS, from outside the workers: the events each partition
// stored, and the conversation scores in the partitions' results, checking the fence on the way.
import assert from 'node:assert/strict';
import type { LifeguardEvent } from '@lifeguard/core';
import type { ScaleContext } from '../../src/scale/context.ts';
import { SubjectReader } from '../../src/scale/subjectReader.ts';
import { lastSubjectSeq } from '../../src/scale/fencedLog.ts';
import type { PartitionResult } from '../../src/scale/partitionOwner.ts';
import { waitFor } from './natsTestEnv.ts';
import type { RoleProcess } from './workerProcess.ts';

async function readAll(
  ctx: ScaleContext,
  stream: string,
  subject: string,
): Promise<{ subject: string; data: unknown }[]> {
  const info = await ctx.jsm.streams.info(stream, { subjects_filter: subject });
  const out: { subject: string; data: unknown }[] = [];
  if (info.state.messages === 0) return out;
  const reader = await SubjectReader.open(ctx, stream, subject, 0);
  try {
    await waitFor(`reading ${subject}`, async () => {
      for (const m of await reader.next(1_000, 200))
        out.push({ subject: m.subject, data: JSON.parse(new TextDecoder().decode(m.data)) });
      return out.length >= info.state.messages;
    });
  } finally {
    await reader.close();
  }
  return out;
}

/** Every event id stored per partition, with how many times. */
export async function storedEventCounts(ctx: ScaleContext, tenant: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const m of await readAll(
    ctx,
    ctx.names.partStream,
    `${ctx.names.partSubject(tenant, 0).replace(/\.0$/, '')}.*`,
  )) {
    const p = m.subject.split('.').at(-1);
    for (const e of m.data as LifeguardEvent[]) counts.set(`${p}/${e.id}`, (counts.get(`${p}/${e.id}`) ?? 0) + 1);
  }
  return counts;
}

/**
 * The latest score of every conversation in the results, asserting the fence held: on each partition's
 * subject, no result of an older epoch follows a newer owner's claim.
 */
export async function resultScores(ctx: ScaleContext, tenant: string): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  const epochs = new Map<string, number>();
  for (const m of await readAll(ctx, ctx.names.resultStream, ctx.names.resultSubjects(tenant))) {
    const value = m.data as PartitionResult | { claim: { epoch: number } };
    const seen = epochs.get(m.subject) ?? 0;
    if ('claim' in value) {
      assert.ok(
        value.claim.epoch > seen,
        `${m.subject}: claims come with rising epochs (${value.claim.epoch} after ${seen})`,
      );
      epochs.set(m.subject, value.claim.epoch);
      continue;
    }
    assert.equal(
      value.epoch,
      seen,
      `${m.subject}: a result of epoch ${value.epoch} after the claim of epoch ${seen} (fence broken)`,
    );
    for (const c of value.conversations) scores.set(c.id, c.score);
  }
  return scores;
}

/** Waits until the processes' health shows every partition and the account stage owned and caught up. */
export async function waitCaughtUpByHealth(
  ctx: ScaleContext,
  tenant: string,
  partitions: number,
  processes: RoleProcess[],
  ms = 60_000,
) {
  await waitFor(
    'the workers to own everything and apply all of it (by /v1/health)',
    async () => {
      const owned = new Map<string, { appliedSeq: number; state: string }>();
      for (const p of processes) {
        const h = await p.health().catch(() => null);
        for (const o of h?.owned ?? []) if (o.state === 'running') owned.set(String(o.partition), o);
      }
      for (let p = 0; p < partitions; p++) {
        const o = owned.get(String(p));
        if (!o) return false;
        if (o.appliedSeq < (await lastSubjectSeq(ctx.jsm, ctx.names.partStream, ctx.names.partSubject(tenant, p))))
          return false;
      }
      const stage = owned.get('accounts');
      if (!stage) return false;
      const info = await ctx.jsm.streams.info(ctx.names.resultStream, {
        subjects_filter: ctx.names.resultSubjects(tenant),
      });
      return stage.appliedSeq >= info.state.last_seq;
    },
    ms,
  );
}
