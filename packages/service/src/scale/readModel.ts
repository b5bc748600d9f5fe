// The replicated read model on any instance: a watch on the tenant's risk bucket keeps every account's
// current risk in memory, so a decision reads it without a network round trip (microseconds), and it
// is as fresh as the account stage's last write plus NATS delivery (milliseconds). Conversation
// reports ("c." keys) are many and read only by reviewers, so they are fetched when asked for.
import type { ConversationRiskReport } from '@lifeguard/core';
import type { KV, NatsConnection, QueuedIterator, KvEntry } from 'nats';
import type { AccountRisk } from './accountStage.ts';
import { accountOfRiskKey, conversationRiskKey, scaleNames } from './names.ts';

export type { AccountRisk };

export class RiskReadModel {
  private readonly risks = new Map<string, AccountRisk>();
  private watcher: QueuedIterator<KvEntry> | null = null;
  private loop: Promise<void> | null = null;
  /** Updates seen since start (health). */
  updates = 0;
  lastUpdateAt = 0;
  private readonly listeners = new Set<(accountId: string) => void>();

  private constructor(private readonly kv: KV) {}

  static open(nc: NatsConnection, tenant: string, namespace?: string): Promise<RiskReadModel> {
    return RiskReadModel.openBucket(nc, scaleNames(namespace).riskBucket(tenant));
  }

  static async openBucket(nc: NatsConnection, bucket: string): Promise<RiskReadModel> {
    const kv = await nc.jetstream().views.kv(bucket, { history: 1 });
    const model = new RiskReadModel(kv);
    await model.start();
    return model;
  }

  private async start(): Promise<void> {
    let ready!: () => void;
    const initialized = new Promise<void>((r) => {
      ready = r;
    });
    this.watcher = await this.kv.watch({ key: '>', initializedFn: () => ready() });
    this.loop = (async () => {
      for await (const e of this.watcher!) {
        if (e.key.startsWith('_') || e.key.startsWith('c.')) continue;
        const account = accountOfRiskKey(e.key);
        if (e.operation === 'PUT')
          this.risks.set(account, JSON.parse(new TextDecoder().decode(e.value)) as AccountRisk);
        else this.risks.delete(account);
        this.updates++;
        this.lastUpdateAt = Date.now();
        for (const listener of this.listeners) listener(account);
      }
    })();
    await initialized;
  }

  /** The account's current risk across all partitions, or null when no partition has seen it. */
  risk(accountId: string): AccountRisk | null {
    return this.risks.get(accountId) ?? null;
  }

  /** Calls `listener` with each account whose entry changes; returns its removal. */
  subscribe(listener: (accountId: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** A conversation's report as its partition last published it, or null when it carries no risk. */
  async conversation(conversationId: string): Promise<ConversationRiskReport | null> {
    const e = await this.kv.get(conversationRiskKey(conversationId));
    if (e?.operation !== 'PUT') return null;
    return JSON.parse(new TextDecoder().decode(e.value)) as ConversationRiskReport;
  }

  get size(): number {
    return this.risks.size;
  }

  async close(): Promise<void> {
    this.watcher?.stop();
    await this.loop?.catch(() => {});
  }
}
