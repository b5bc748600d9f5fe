// Stage one: the owner of one partition of a tenant runs the detection engine over the partition's
// events (every message of its conversations, and every account and contact event), and publishes,
// per fetched batch, the current state of what the batch touched: conversation scores, the partition's
// view of each account involved, who messaged which child, blocks and reports. Those are values, not
// increments, so the account stage may see a result twice without counting anything twice.
// Before the events that name an account, and whenever the read model changes, the owner tells its
// engine what the other partitions learnt about the account (noteOutsideFacts), so that a fan-out or
// an age stated elsewhere counts here as it would in one process.
import {
  DetectionEngine,
  type AccountFacts,
  type ActorRiskReport,
  type ConversationRiskReport,
  type EngineSnapshot,
  type LifeguardEvent,
} from '@lifeguard/core';
import type { JsMsg } from 'nats';
import type { ScaleContext } from './context.ts';
import { readEventMessage } from './eventMessage.ts';
import { FencedLog } from './fencedLog.ts';
import { Owner, type OwnerOptions } from './owner.ts';
import type { AccountRisk } from './accountStage.ts';
import type { RiskReadModel } from './readModel.ts';

export interface ConversationResult {
  id: string;
  score: number;
  /** The conversation's report when it carries any risk (what `--role api` answers). */
  report: ConversationRiskReport | null;
}

export interface AccountResult {
  id: string;
  /** The account's risk as this partition sees it. */
  score: number;
  isMinor: boolean | null;
  age: number | null;
  /** What this partition itself learnt about the account (the account stage merges them). */
  facts: AccountFacts | null;
  report: ActorRiskReport | null;
}

export interface PartitionResult {
  partition: number;
  epoch: number;
  /** Partition stream sequence of the last event the result includes. */
  toSeq: number;
  conversations: ConversationResult[];
  accounts: AccountResult[];
  /** [sender, recipient] pairs of messages in this batch. */
  contacted: [string, string][];
  /** Blocks and reports, [action, actor, target]: from partition 0 only (every partition sees them). */
  actions: [string, string, string][];
}

/** Events a partition message held, or why it is unusable. */
export function readPartitionMessage(data: Uint8Array): { events: LifeguardEvent[] } | { problems: string[] } {
  return readEventMessage(data, true);
}

/** Serialised size of one result message, well under NATS's 1 MB message limit. */
const RESULT_BYTES = 400_000;

/** Where outside facts come from: the read model, and which of its accounts changed. */
export interface OutsideFactsSource {
  model: RiskReadModel;
  /** Registers a listener for changed accounts; returns its removal. */
  subscribe(listener: (accountId: string) => void): () => void;
}

export class PartitionOwner extends Owner {
  engine: DetectionEngine;
  private results!: FencedLog;
  /** Read-model entries already told to the engine (entries are replaced, never changed, on update). */
  private told = new WeakSet<AccountRisk>();
  /** Accounts whose read-model entry changed since the engine was last told. */
  private readonly changed = new Set<string>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    ctx: ScaleContext,
    readonly tenant: string,
    readonly partition: number,
    options: OwnerOptions,
    private readonly outside: OutsideFactsSource | null = null,
  ) {
    super(
      ctx,
      `detector.${tenant}.p${partition}`,
      `${tenant}.p${partition}`,
      ctx.names.partStream,
      ctx.names.partSubject(tenant, partition),
      options,
    );
    this.engine = new DetectionEngine(ctx.engine);
  }

  protected restoreState(data: Uint8Array | null): void {
    this.told = new WeakSet();
    this.unsubscribe ??= this.outside?.subscribe((id) => this.changed.add(id)) ?? null;
    this.engine = data
      ? DetectionEngine.restore(JSON.parse(new TextDecoder().decode(data)) as EngineSnapshot, this.ctx.engine)
      : new DetectionEngine(this.ctx.engine);
  }

  protected snapshotState(): Uint8Array {
    return new TextEncoder().encode(JSON.stringify(this.engine.snapshot()));
  }

  protected async claimOutput(epoch: number): Promise<void> {
    const { js, jsm, names } = this.ctx;
    this.results = await FencedLog.claim(
      js,
      jsm,
      names.resultStream,
      names.resultSubject(this.tenant, this.partition),
      epoch,
      this.ctx.holder,
      this.appliedSeq,
    );
  }

  protected async applyBatch(messages: JsMsg[]): Promise<void> {
    const conversations = new Set<string>();
    const accounts = new Set<string>();
    const contacted = new Map<string, [string, string]>();
    const actions: [string, string, string][] = [];
    for (const m of messages) {
      const read = readPartitionMessage(m.data);
      if ('problems' in read) {
        // A message the router should never have let through (corrupt, or written by hand): set
        // aside on the rejected subject; the partition goes on.
        this.ctx.nc.publish(
          this.ctx.names.rejectedSubject(this.tenant),
          new TextEncoder().encode(
            JSON.stringify({ partition: this.partition, seq: m.seq, problems: read.problems.slice(0, 20) }),
          ),
        );
        continue;
      }
      for (const event of read.events) {
        if (this.outside) for (const id of namedAccounts(event)) this.tell(id, true);
        try {
          this.engine.process(event);
        } catch (err) {
          this.ctx.log.error(
            { tenant: this.tenant, partition: this.partition, eventId: event.id, err: (err as Error).message },
            'engine failed on an event',
          );
        }
        if (event.type === 'message') {
          conversations.add(event.conversationId);
          accounts.add(event.senderId);
          for (const r of event.recipientIds) {
            accounts.add(r);
            if (r !== event.senderId) contacted.set(`${event.senderId}\u0000${r}`, [event.senderId, r]);
          }
        } else if (event.type === 'account') {
          accounts.add(event.userId);
        } else {
          accounts.add(event.actorId);
          accounts.add(event.targetId);
          if (this.partition === 0 && (event.action === 'block' || event.action === 'report'))
            actions.push([event.action, event.actorId, event.targetId]);
        }
      }
    }
    await this.publish(messages[messages.length - 1]!.seq, conversations, accounts, [...contacted.values()], actions);
  }

  /** Tells the engine the read model's facts of an account, once per read-model entry. */
  private tell(accountId: string, create: boolean): { alerts: unknown[]; conversations: string[] } | null {
    const entry = this.outside?.model.risk(accountId);
    if (!entry?.facts || this.told.has(entry)) return null;
    const noted = this.engine.noteOutsideFacts(accountId, outsideFacts(entry, this.partition), create);
    if (noted) this.told.add(entry);
    return noted;
  }

  /** Between batches: tells the engine what changed in the read model, and publishes what that moved. */
  protected override async betweenBatches(): Promise<void> {
    if (this.changed.size === 0) return;
    const accounts = new Set<string>();
    const conversations = new Set<string>();
    for (const id of this.changed) {
      const entry = this.outside?.model.risk(id);
      if (!entry?.facts || this.told.has(entry)) continue;
      // Republished only when the account's report moved: what the stage writes back then comes
      // here again, unchanged, and goes no further.
      const before = JSON.stringify(this.engine.actorReport(id));
      const noted = this.tell(id, false);
      if (!noted) continue;
      for (const c of noted.conversations) conversations.add(c);
      if (noted.conversations.length > 0 || JSON.stringify(this.engine.actorReport(id)) !== before) accounts.add(id);
    }
    this.changed.clear();
    if (accounts.size > 0 || conversations.size > 0)
      await this.publish(this.appliedSeq, conversations, accounts, [], []);
  }

  protected override onStop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  /**
   * Publishes the current state of what changed. Kept under NATS's message limit: a big batch goes out
   * as several results with the same toSeq (values, so the account stage may apply them in any grouping).
   */
  private async publish(
    toSeq: number,
    conversations: Set<string>,
    accounts: Set<string>,
    pairs: [string, string][],
    actions: [string, string, string][],
  ): Promise<void> {
    const accountResults: AccountResult[] = [...accounts].map((id) => {
      const info = this.engine.accountInfo(id);
      return {
        id,
        score: this.engine.actorScore(id),
        isMinor: info.isMinor,
        age: info.age,
        facts: this.engine.accountFacts(id),
        report: this.engine.actorReport(id),
      };
    });
    // A fan-out raises conversations that no event of the batch touched: they are published too.
    for (const a of accountResults)
      for (const id of [...(a.report?.fanOut?.conversations ?? []), ...(a.report?.fanOut?.alsoConversations ?? [])])
        if (this.engine.conversationScore(id) > 0) conversations.add(id);
    const conversationResults: ConversationResult[] = [...conversations].map((id) => {
      const score = this.engine.conversationScore(id);
      return { id, score, report: score > 0 ? this.engine.conversationReport(id) : null };
    });
    const empty = (): PartitionResult => ({
      partition: this.partition,
      epoch: this.epoch,
      toSeq,
      conversations: [],
      accounts: [],
      contacted: [],
      actions: [],
    });
    let result = empty();
    let bytes = 0;
    const parts: PartitionResult[] = [];
    const add = <K extends 'conversations' | 'accounts' | 'contacted' | 'actions'>(
      key: K,
      item: PartitionResult[K][number],
    ) => {
      const size = Buffer.byteLength(JSON.stringify(item)) + 1;
      if (bytes + size > RESULT_BYTES && bytes > 0) {
        parts.push(result);
        result = empty();
        bytes = 0;
      }
      (result[key] as PartitionResult[K][number][]).push(item);
      bytes += size;
    };
    for (const c of conversationResults) add('conversations', c);
    for (const a of accountResults) add('accounts', a);
    for (const p of pairs) add('contacted', p);
    for (const a of actions) add('actions', a);
    parts.push(result);
    for (const part of parts) {
      this.checkLease();
      await this.results.append(part);
    }
  }
}

/** Account ids an event names. */
function namedAccounts(e: LifeguardEvent): string[] {
  if (e.type === 'message') return [e.senderId, ...e.recipientIds];
  return e.type === 'account' ? [e.userId] : [e.actorId, e.targetId];
}

/** What the other partitions learnt about an account: the merged facts less this partition's counts. */
export function outsideFacts(entry: AccountRisk, partition: number): AccountFacts {
  const facts = { ...entry.facts! };
  const own = entry.counts?.[partition];
  if (own) for (const k of Object.keys(own) as (keyof typeof own)[]) facts[k] = Math.max(0, facts[k] - own[k]);
  return facts;
}
