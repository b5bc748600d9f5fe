// One in-memory DetectionEngine per tenant. Events are stored first (that is the acknowledgement) and
// fed to the engine after. On start each engine is rebuilt from its latest stored snapshot plus a replay
// of the events after it, so nothing acknowledged is missing from the engine after a crash.
import {
  DetectionEngine,
  type ActorRiskReport,
  type Alert,
  type ConversationRiskReport,
  type EngineOptions,
  type EngineSnapshot,
  type RiskModel,
} from '@lifeguard/core';
import type { Storage, StoredEvent } from '@lifeguard/storage';
import { modelForTenant, modelIdOf, type ServiceModels } from './models.ts';

export interface EngineHostOptions {
  engine?: EngineOptions;
  /** The risk model per tenant (serve --model / --model-dir); the built-in one when absent. */
  models?: ServiceModels;
  /**
   * Take a snapshot after this many events since the last one (default 500,000), or after
   * snapshotEveryMs (default 10 minutes) if anything changed. Snapshots serialise the whole detector
   * state on the event loop, so they are kept rare; the events after the last one are replayed on start.
   */
  snapshotEveryEvents?: number;
  snapshotEveryMs?: number;
  /** Replay page size. */
  replayBatch?: number;
  /**
   * Feeding yields to the event loop after this many milliseconds (default 1), so a decision waits at
   * most about that long behind it; after a yield it may run as long as the other work in between took
   * (up to 10× this), so busy decisions cannot starve ingestion either.
   */
  feedSliceMs?: number;
}

export interface AlertSink {
  /** Called with alerts in the order the engine raised them; must be idempotent (replays repeat alerts). */
  handleAlerts(tenantId: string, engine: DetectionEngine, alerts: Alert[]): Promise<void>;
  /** Called after each fed group with the conversations that received messages. */
  conversationsChanged(tenantId: string, engine: DetectionEngine, conversationIds: Set<string>): Promise<void>;
}

interface TenantEngine {
  engine: DetectionEngine;
  /** Highest seq folded into the engine. */
  lastSeq: number;
  eventsSinceSnapshot: number;
  lastSnapshotAt: number;
  /** Serialises feeding, snapshots and alert handling for the tenant. */
  chain: Promise<unknown>;
}

/** An account's risk as partitioned detection's read model holds it (null: not known there). */
export type OutsideRisk = (tenantId: string, accountId: string) => number | null;

/**
 * The risk reports of a tenant detected by partitioned workers (serve --role api): answered from the
 * replicated read model rather than this process's engine. `undefined`: not such a tenant here.
 */
export interface OutsideReports {
  account(tenantId: string, accountId: string): ActorRiskReport | null | undefined;
  conversation(tenantId: string, conversationId: string): Promise<ConversationRiskReport | null | undefined>;
}

const yieldToLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export class EngineHost {
  private readonly tenants = new Map<string, Promise<TenantEngine>>();
  private readonly snapshotEvery: number;
  private readonly snapshotEveryMs: number;
  private readonly replayBatch: number;
  private readonly feedSliceMs: number;
  private sink: AlertSink | null = null;
  private outsideRisk: OutsideRisk | null = null;
  private outsideReports: OutsideReports | null = null;

  constructor(
    private readonly storage: Storage,
    private readonly options: EngineHostOptions = {},
    private readonly log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void } = console,
  ) {
    this.snapshotEvery = options.snapshotEveryEvents ?? 500_000;
    this.snapshotEveryMs = options.snapshotEveryMs ?? 600_000;
    this.replayBatch = options.replayBatch ?? 2_000;
    this.feedSliceMs = options.feedSliceMs ?? 1;
  }

  setAlertSink(sink: AlertSink): void {
    this.sink = sink;
  }

  setOutsideRisk(risk: OutsideRisk): void {
    this.outsideRisk = risk;
  }

  setOutsideReports(reports: OutsideReports): void {
    this.outsideReports = reports;
  }

  /** The account's risk report: from the read model for a partitioned tenant, else this process's engine. */
  async accountReport(tenantId: string, accountId: string): Promise<ActorRiskReport | null> {
    const outside = this.outsideReports?.account(tenantId, accountId);
    if (outside !== undefined) return outside;
    return (await this.engine(tenantId)).actorReport(accountId);
  }

  /** The conversation's risk report, from the same source as accountReport. */
  async conversationReport(tenantId: string, conversationId: string): Promise<ConversationRiskReport | null> {
    const outside = await this.outsideReports?.conversation(tenantId, conversationId);
    if (outside !== undefined) return outside;
    return (await this.engine(tenantId)).conversationReport(conversationId);
  }

  /** The account's risk for decisions: this process's engine, raised by the read model when partitioned. */
  actorScore(tenantId: string, engine: DetectionEngine, accountId: string): number {
    const own = engine.actorScore(accountId);
    const outside = this.outsideRisk?.(tenantId, accountId) ?? null;
    return outside === null ? own : Math.max(own, outside);
  }

  /** The risk model that scores the tenant's events. */
  modelFor(tenantId: string): RiskModel {
    const fallback = this.options.engine?.model;
    return modelForTenant(
      fallback && !this.options.models?.default ? { ...this.options.models, default: fallback } : this.options.models,
      tenantId,
    );
  }

  /** The id every score for this tenant records (the model's id, or "default"). */
  modelIdFor(tenantId: string): string {
    return modelIdOf(this.modelFor(tenantId));
  }

  /** The tenant's engine, restored on first use. */
  async engine(tenantId: string): Promise<DetectionEngine> {
    return (await this.state(tenantId)).engine;
  }

  private state(tenantId: string): Promise<TenantEngine> {
    let state = this.tenants.get(tenantId);
    if (!state) {
      state = this.restore(tenantId);
      this.tenants.set(tenantId, state);
      // A failed restore is retried on next use rather than cached.
      state.catch(() => this.tenants.delete(tenantId));
    }
    return state;
  }

  /** Restores every tenant's engine; called before the server accepts requests. */
  async restoreAll(): Promise<void> {
    for (const tenant of await this.storage.listTenants()) await this.state(tenant.id);
  }

  private async restore(tenantId: string): Promise<TenantEngine> {
    const started = Date.now();
    const snapshot = await this.storage.latestSnapshot(tenantId);
    const model = this.modelFor(tenantId);
    const options: EngineOptions = { ...this.options.engine, model };
    let engine: DetectionEngine;
    let lastSeq = 0;
    if (snapshot) {
      try {
        const data = JSON.parse(snapshot.data) as EngineSnapshot & { modelId?: string };
        engine = DetectionEngine.restore(data, options);
        lastSeq = snapshot.seq;
        const before = data.modelId ?? 'default';
        if (before !== modelIdOf(model)) {
          // Kept rather than replayed: replaying would lose the signals of messages whose text retention removed.
          this.log.info(
            { tenantId, snapshotModel: before, model: modelIdOf(model) },
            'risk model changed since the snapshot; conversations are rescored by the new model as their next message arrives',
          );
        }
      } catch (err) {
        // A snapshot from an incompatible engine version: rebuild from all events instead.
        this.log.error({ err, tenantId, seq: snapshot.seq }, 'engine snapshot unreadable; replaying all events');
        engine = new DetectionEngine(options);
      }
    } else {
      engine = new DetectionEngine(options);
    }
    const state: TenantEngine = {
      engine,
      lastSeq,
      eventsSinceSnapshot: 0,
      lastSnapshotAt: Date.now(),
      chain: Promise.resolve(),
    };
    let replayed = 0;
    for (;;) {
      const page = await this.storage.readEvents(tenantId, state.lastSeq, this.replayBatch);
      if (page.length === 0) break;
      await this.fold(tenantId, state, page);
      replayed += page.length;
    }
    if (replayed > 0 || snapshot) {
      this.log.info(
        { tenantId, snapshotSeq: snapshot?.seq ?? null, replayed, ms: Date.now() - started },
        'engine restored',
      );
    }
    return state;
  }

  /** Feeds newly stored events (in seq order) to the tenant's engine and handles the alerts they raise. */
  async feed(tenantId: string, events: StoredEvent[]): Promise<void> {
    await this.inTurn(tenantId, (state) => this.fold(tenantId, state, events));
  }

  /** Runs `work` on the tenant's engine after everything queued before it; a failure does not stop the queue. */
  private async inTurn<T>(tenantId: string, work: (state: TenantEngine) => T | Promise<T>): Promise<T> {
    const state = await this.state(tenantId);
    const run = state.chain.then(() => work(state));
    state.chain = run.catch(() => {});
    return run;
  }

  private async fold(tenantId: string, state: TenantEngine, events: StoredEvent[]): Promise<void> {
    const alerts: Alert[] = [];
    const touched = new Set<string>();
    let sliceStart = performance.now();
    let slice = this.feedSliceMs;
    for (const stored of events) {
      // Already folded (a replay overlapping with new ingestion, or the snapshot covers it).
      if (stored.seq <= state.lastSeq) continue;
      if (stored.event.type === 'message') touched.add(stored.event.conversationId);
      try {
        alerts.push(...state.engine.process(stored.event));
      } catch (err) {
        // The event is stored and acknowledged; one the engine cannot digest must not stop the others.
        this.log.error({ err, tenantId, eventId: stored.event.id }, 'engine failed on an event');
      }
      state.lastSeq = stored.seq;
      state.eventsSinceSnapshot++;
      const now = performance.now();
      if (now - sliceStart >= slice) {
        await yieldToLoop();
        sliceStart = performance.now();
        // Fair shares: the next slice is as long as what ran in between (requests, decisions), within bounds.
        slice = Math.min(this.feedSliceMs * 10, Math.max(this.feedSliceMs, sliceStart - now));
      }
    }
    if (this.sink) {
      if (alerts.length > 0) await this.sink.handleAlerts(tenantId, state.engine, alerts);
      if (touched.size > 0) await this.sink.conversationsChanged(tenantId, state.engine, touched);
    }
    if (
      state.eventsSinceSnapshot >= this.snapshotEvery ||
      (state.eventsSinceSnapshot > 0 && Date.now() - state.lastSnapshotAt >= this.snapshotEveryMs)
    ) {
      await this.saveSnapshot(tenantId, state);
    }
  }

  private async saveSnapshot(tenantId: string, state: TenantEngine): Promise<void> {
    const seq = state.lastSeq;
    // modelId: which model the scores in this snapshot came from (read back on restore).
    const data = JSON.stringify({ ...state.engine.snapshot(), modelId: this.modelIdFor(tenantId) });
    await this.storage.saveSnapshot(tenantId, { seq, createdAt: Date.now(), data });
    state.eventsSinceSnapshot = 0;
    state.lastSnapshotAt = Date.now();
  }

  /**
   * Retention: removes the excerpts of evidence from messages before `before` (event time) in
   * every conversation not in `held`, in turn with feeding; the next snapshot is then due, so no
   * stored snapshot keeps them. Returns how many were removed.
   */
  async removeExcerpts(tenantId: string, before: number, held: ReadonlySet<string>): Promise<number> {
    return this.inTurn(tenantId, (state) => {
      const removed = state.engine.removeExcerptsBefore(before, (id) => held.has(id));
      if (removed > 0) state.eventsSinceSnapshot++; // a change the next snapshot must carry
      return removed;
    });
  }

  /** Snapshots one tenant now (if anything changed); returns the seq it covers. */
  async snapshot(tenantId: string): Promise<number> {
    return this.inTurn(tenantId, async (state) => {
      if (state.eventsSinceSnapshot > 0 || !(await this.storage.latestSnapshot(tenantId)))
        await this.saveSnapshot(tenantId, state);
      return state.lastSeq;
    });
  }

  /** Snapshots every loaded tenant that changed (graceful shutdown). */
  async snapshotAll(): Promise<void> {
    for (const [tenantId, pending] of this.tenants) {
      const state = await pending.catch(() => null);
      if (state && state.eventsSinceSnapshot > 0) await this.snapshot(tenantId);
    }
  }

  /** Waits until all queued feeding is done (tests, shutdown). */
  async idle(): Promise<void> {
    for (const pending of this.tenants.values()) {
      const state = await pending.catch(() => null);
      if (state) await state.chain;
    }
  }
}
