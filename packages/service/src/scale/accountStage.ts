// Stage two, keyed by account: one owner per tenant folds every partition's results into per-account
// facts (the highest risk any partition sees, the children it messaged across all partitions, who
// blocked and reported it) and writes them to the read model, a KV bucket per tenant that every
// instance watches. Its writes are fenced on the bucket's stream: each names the stream's previous
// sequence, and a new stage owner writes a claim first, so an old owner woken after losing its lease
// cannot overwrite anything.
// It also merges what each partition learnt about the account (AccountFacts) and keeps each
// partition's counts apart, so that every partition can be told what the others learnt; and it
// writes, beside each account, the reports `--role api` answers with: the account's report from the
// partition that scores it highest, and each risky conversation's report under "c.<conversation>".
import {
  ACCOUNT_FACT_BOUNDS,
  OUTSIDE_COUNTS,
  emptyAccountFacts,
  mergeAccountFacts,
  type AccountFacts,
  type ActorRiskReport,
  type ConversationRiskReport,
  type OutsideCounts,
} from '@lifeguard/core';
import type { JsMsg } from 'nats';
import type { ScaleContext } from './context.ts';
import { FencedError } from './fencedLog.ts';
import { Owner, type OwnerOptions } from './owner.ts';
import type { PartitionResult } from './partitionOwner.ts';
import { conversationRiskKey, riskKey } from './names.ts';

/** What the read model holds for one account. */
export interface AccountRisk {
  /** The highest risk any partition gives the account (each sees its conversations and every account event). */
  score: number;
  isMinor: boolean | null;
  age: number | null;
  /** Distinct children it sent messages to, over all partitions. */
  childrenContacted: number;
  blockedBy: number;
  reportedBy: number;
  /** Partitions that have seen the account. */
  partitions: number;
  /** The account's report from the partition that scores it highest (null from older stages). */
  report?: ActorRiskReport | null;
  /** What all partitions learnt about it, merged; counts summed over `counts`. */
  facts?: AccountFacts;
  /** Each partition's own counts, so that a partition is told the others' sum. */
  counts?: Record<number, OutsideCounts>;
}

interface Aggregate {
  facts?: AccountFacts;
  counts?: Record<number, OutsideCounts>;
  report?: ActorRiskReport | null;
  reportFrom?: number;
  scores: Record<number, number>;
  minor: Record<number, boolean | null>;
  age: number | null;
  contacted: string[];
  blockedBy: string[];
  reportedBy: string[];
}

/** Bounds per account, so one account spraying messages cannot grow the stage's state without end. */
const MAX_LISTED = 5_000;

const enc = (v: unknown) => new TextEncoder().encode(JSON.stringify(v));

/**
 * Folds what one partition learnt about an account into the account's merged facts: unions and
 * extremes merge, while counts are kept per partition (each partition's latest) and summed, so that
 * a result seen twice counts once and a partition can be told the sum of the others (outsideFacts).
 */
export function foldPartitionFacts(
  a: { facts?: AccountFacts; counts?: Record<number, OutsideCounts> },
  partition: number,
  facts: AccountFacts,
): void {
  const counts = {} as OutsideCounts;
  for (const k of OUTSIDE_COUNTS) counts[k] = facts[k];
  a.counts = { ...a.counts, [partition]: counts };
  const merged = mergeAccountFacts([a.facts ?? emptyAccountFacts(), facts], ACCOUNT_FACT_BOUNDS);
  for (const k of OUTSIDE_COUNTS) merged[k] = Object.values(a.counts).reduce((sum, c) => sum + c[k], 0);
  a.facts = merged;
}

export class AccountStage extends Owner {
  private accounts = new Map<string, Aggregate>();
  /** Highest toSeq applied per partition (results older than it are stale copies). */
  private appliedToSeq: Record<number, number> = {};
  private riskLast = 0;
  private readonly bucket: string;

  constructor(
    ctx: ScaleContext,
    readonly tenant: string,
    options: OwnerOptions,
  ) {
    super(
      ctx,
      `detector.${tenant}.accounts`,
      `${tenant}.accounts`,
      ctx.names.resultStream,
      ctx.names.resultSubjects(tenant),
      options,
    );
    this.bucket = ctx.names.riskBucket(tenant);
  }

  protected restoreState(data: Uint8Array | null): void {
    this.accounts = new Map();
    this.appliedToSeq = {};
    if (!data) return;
    const saved = JSON.parse(new TextDecoder().decode(data)) as {
      accounts: [string, Aggregate][];
      applied: Record<number, number>;
    };
    this.accounts = new Map(saved.accounts);
    this.appliedToSeq = saved.applied;
  }

  protected snapshotState(): Uint8Array {
    return enc({ accounts: [...this.accounts], applied: this.appliedToSeq });
  }

  protected async claimOutput(epoch: number): Promise<void> {
    await this.ctx.js.views.kv(this.bucket, { history: 1 });
    const info = await this.ctx.jsm.streams.info(`KV_${this.bucket}`);
    const ack = await this.ctx.js.publish(`$KV.${this.bucket}._stage`, enc({ epoch, holder: this.ctx.holder }), {
      expect: { lastSequence: info.state.last_seq },
    });
    this.riskLast = ack.seq;
  }

  private aggregate(id: string): Aggregate {
    let a = this.accounts.get(id);
    if (!a) {
      a = { scores: {}, minor: {}, age: null, contacted: [], blockedBy: [], reportedBy: [] };
      this.accounts.set(id, a);
    }
    return a;
  }

  protected async applyBatch(messages: JsMsg[]): Promise<void> {
    const dirty = new Set<string>();
    const conversations = new Map<string, ConversationRiskReport>();
    for (const m of messages) {
      const value = JSON.parse(new TextDecoder().decode(m.data)) as PartitionResult | { claim: unknown };
      if ('claim' in value) continue;
      const r = value;
      if (r.toSeq < (this.appliedToSeq[r.partition] ?? 0)) continue;
      this.appliedToSeq[r.partition] = r.toSeq;
      for (const acc of r.accounts) {
        const a = this.aggregate(acc.id);
        a.scores[r.partition] = acc.score;
        a.minor[r.partition] = acc.isMinor;
        if (acc.age !== null) a.age = acc.age;
        if (acc.facts) foldPartitionFacts(a, r.partition, acc.facts);
        // The highest-scoring partition's report; on a tie the lowest partition's, so that the
        // choice does not depend on which result came first.
        const current = a.report?.score ?? -1;
        const from = a.reportFrom ?? Number.POSITIVE_INFINITY;
        if (
          acc.report &&
          (a.reportFrom === r.partition ||
            acc.report.score > current ||
            (acc.report.score === current && r.partition < from))
        ) {
          a.report = acc.report;
          a.reportFrom = r.partition;
        }
        dirty.add(acc.id);
      }
      for (const c of r.conversations ?? []) if (c.report) conversations.set(c.id, c.report);
      for (const [from, to] of r.contacted) {
        const a = this.aggregate(from);
        if (a.contacted.length < MAX_LISTED && !a.contacted.includes(to)) a.contacted.push(to);
        dirty.add(from);
      }
      for (const [action, actor, target] of r.actions) {
        const t = this.aggregate(target);
        const list = action === 'block' ? t.blockedBy : t.reportedBy;
        if (list.length < MAX_LISTED && !list.includes(actor)) list.push(actor);
        dirty.add(target);
      }
    }
    await this.write(dirty, conversations);
  }

  /** The account's current risk, as the read model will hold it. */
  riskOf(id: string): AccountRisk | null {
    const a = this.accounts.get(id);
    if (!a) return null;
    const votes = Object.values(a.minor);
    const isMinor = votes.includes(true) ? true : votes.includes(false) ? false : null;
    const minorNow = (other: string) => {
      const o = this.accounts.get(other);
      return o ? Object.values(o.minor).includes(true) : false;
    };
    return {
      score: Math.max(0, ...Object.values(a.scores)),
      isMinor,
      age: a.age,
      childrenContacted: a.contacted.filter(minorNow).length,
      blockedBy: a.blockedBy.length,
      reportedBy: a.reportedBy.length,
      partitions: Object.keys(a.scores).length,
      report: a.report ?? null,
      ...(a.facts ? { facts: a.facts, counts: a.counts ?? {} } : {}),
    };
  }

  /** Every account's current risk (tests compare it with a single process). */
  allRisks(): Map<string, AccountRisk> {
    const out = new Map<string, AccountRisk>();
    for (const id of this.accounts.keys()) out.set(id, this.riskOf(id)!);
    return out;
  }

  /** Writes the changed accounts, pipelined, each expecting the one before it on the bucket's stream. */
  private async write(dirty: Set<string>, conversations: Map<string, ConversationRiskReport>): Promise<void> {
    const base = this.riskLast;
    const writes: Promise<unknown>[] = [];
    let i = 0;
    const put = (key: string, value: unknown) => {
      writes.push(this.ctx.js.publish(`$KV.${this.bucket}.${key}`, enc(value), { expect: { lastSequence: base + i } }));
      i++;
    };
    for (const id of dirty) {
      const risk = this.riskOf(id);
      if (risk) put(riskKey(id), risk);
    }
    for (const [id, report] of conversations) put(conversationRiskKey(id), report);
    const settled = await Promise.allSettled(writes);
    const failed = settled.find((s) => s.status === 'rejected');
    if (failed) {
      // Fenced, or partly written (the stream position is then unknown): either way this owner stops,
      // and ownership is taken again from the snapshot, which writes a fresh claim.
      const message = ((failed as PromiseRejectedResult).reason as Error).message;
      throw new FencedError(`read model ${this.bucket}`, message);
    }
    this.riskLast = base + i;
  }
}
