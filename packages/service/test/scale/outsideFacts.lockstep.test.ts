// The facts partitions tell each other, without NATS and without lag: four engines fed by the
// partition function, the account stage's merge (foldPartitionFacts) and what each partition is
// told (outsideFacts), passed on after every event. With no lag, partitioned detection scores and
// reports every conversation and account exactly as one process does; what lag changes is in
// docs/architecture.md.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DetectionEngine, type AccountFacts, type LifeguardEvent, type OutsideCounts } from '@lifeguard/core';
import { foldPartitionFacts } from '../../src/scale/accountStage.ts';
import { partitionsFor } from '../../src/scale/names.ts';
import { outsideFacts } from '../../src/scale/partitionOwner.ts';
import type { AccountRisk } from '../../src/scale/readModel.ts';
import { singleProcess } from './cluster.ts';
import { workload } from './workload.ts';

const PARTITIONS = 4;

function named(e: LifeguardEvent): string[] {
  if (e.type === 'message') return [e.senderId, ...e.recipientIds];
  return e.type === 'account' ? [e.userId] : [e.actorId, e.targetId];
}

/** Partitioned detection with the account stage in the loop and facts passed on at once. */
function partitioned(events: LifeguardEvent[], tell: boolean): DetectionEngine[] {
  const engines = Array.from({ length: PARTITIONS }, () => new DetectionEngine());
  const stage = new Map<string, { facts?: AccountFacts; counts?: Record<number, OutsideCounts> }>();
  const entry = (id: string) => stage.get(id) as AccountRisk | undefined;
  for (const e of events) {
    for (const p of partitionsFor(e, PARTITIONS)) {
      const engine = engines[p]!;
      if (tell)
        for (const id of named(e)) {
          const known = entry(id);
          if (known?.facts) engine.noteOutsideFacts(id, outsideFacts(known, p), true);
        }
      engine.process(e);
      for (const id of named(e)) {
        const a = stage.get(id) ?? {};
        foldPartitionFacts(a, p, engine.accountFacts(id)!);
        stage.set(id, a);
        if (tell)
          engines.forEach((other, q) => {
            if (q !== p) other.noteOutsideFacts(id, outsideFacts(a as AccountRisk, q));
          });
      }
    }
  }
  return engines;
}

describe('partitions told what the others learnt, with no lag', () => {
  const events = workload({ seed: 11, children: 30, adults: 10 });
  const reference = singleProcess(events);

  it('score every conversation and report every account as one process', () => {
    const engines = partitioned(events, true);
    let conversations = 0;
    for (const id of reference.conversationIds()) {
      const holder = engines.find((e) => e.conversationReport(id) !== null);
      assert.ok(holder, `conversation ${id} lives in a partition`);
      assert.deepEqual(holder.conversationReport(id), reference.conversationReport(id), `conversation ${id}`);
      conversations++;
    }
    assert.ok(conversations > 30, `compared many conversations (${conversations})`);
    let accounts = 0;
    for (const id of reference.actorIds()) {
      const best = engines.reduce((x, y) => (y.actorScore(id) > x.actorScore(id) ? y : x));
      assert.deepEqual(best.actorReport(id), reference.actorReport(id), `account ${id}`);
      accounts++;
    }
    assert.ok(accounts >= 40, `compared every account (${accounts})`);
  });

  it('without being told, accounts spread over partitions are under-scored (what the facts fix)', () => {
    const engines = partitioned(events, false);
    const under = [...reference.actorIds()].filter(
      (id) => Math.max(...engines.map((e) => e.actorScore(id))) < reference.actorScore(id) - 1e-12,
    );
    assert.ok(under.length >= 5, `several accounts score lower than in one process untold (${under.length})`);
  });
});
