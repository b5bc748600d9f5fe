// Stage one: the owner of one partition of a tenant runs the detection engine over the partition's
// events (every message of its conversations, and every account and contact event), and publishes,
// per fetched batch, the current state of what the batch touched: conversation scores, the partition's
// view of each account involved, who messaged which child, blocks and reports. Those are values, not
// increments, so the account stage may see a result twice without counting anything twice.
import { DetectionEngine, parseEvent, type EngineSnapshot, type LifeguardEvent } from '@lifeguard/core';
import type { JsMsg } from 'nats';
import type { ScaleContext } from './context.ts';
import { FencedLog } from './fencedLog.ts';
import { Owner, type OwnerOptions } from './owner.ts';

export interface ConversationResult {
  id: string;
  score: number;
}

export interface AccountResult {
  id: string;
  /** The account's risk as this partition sees it. */
  score: number;
  isMinor: boolean | null;
  age: number | null;
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
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(data));
  } catch (err) {
    return { problems: [`(message): not valid JSON: ${(err as Error).message}`] };
  }
  const items = Array.isArray(value) ? value : [value];
  const events: LifeguardEvent[] = [];
  const problems: string[] = [];
  items.forEach((item, i) => {
    const p = parseEvent(item);
    if (p.ok) events.push(p.event);
    else problems.push(...p.error.problems.map((l) => `[${i}].${l}`));
  });
  return problems.length > 0 ? { problems } : { events };
}

/** Entries per list in one result message (an entry holds at most two 256-character ids). */
const RESULT_CHUNK = 1_000;

export class PartitionOwner extends Owner {
  engine: DetectionEngine;
  private results!: FencedLog;

  constructor(
    ctx: ScaleContext,
    readonly tenant: string,
    readonly partition: number,
    options: OwnerOptions,
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
    const toSeq = messages[messages.length - 1]!.seq;
    const conversationResults = [...conversations].map((id) => ({ id, score: this.engine.conversationScore(id) }));
    const accountResults = [...accounts].map((id) => {
      const info = this.engine.accountInfo(id);
      return { id, score: this.engine.actorScore(id), isMinor: info.isMinor, age: info.age };
    });
    const pairs = [...contacted.values()];
    // Kept well under NATS's 1 MB message limit: a big batch goes out as several results with the same
    // toSeq (values, so the account stage may apply them in any grouping).
    const chunks = Math.max(
      1,
      Math.ceil(
        Math.max(conversationResults.length, accountResults.length, pairs.length, actions.length) / RESULT_CHUNK,
      ),
    );
    for (let i = 0; i < chunks; i++) {
      const part = <T>(list: T[]) => list.slice(i * RESULT_CHUNK, (i + 1) * RESULT_CHUNK);
      const result: PartitionResult = {
        partition: this.partition,
        epoch: this.epoch,
        toSeq,
        conversations: part(conversationResults),
        accounts: part(accountResults),
        contacted: part(pairs),
        actions: part(actions),
      };
      this.checkLease();
      await this.results.append(result);
    }
  }
}
