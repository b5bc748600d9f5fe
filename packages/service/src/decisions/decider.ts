// Gathers the facts for a decision (graph and declared ages from storage, disclosed ages and risk from
// the tenant's engine), picks the policy profile, and applies the rules.
import { detectSignals, type DetectionEngine } from '@lifeguard/core';
import type { AccountRecord, Storage } from '@lifeguard/storage';
import type { EngineHost } from '../engine/engineHost.ts';
import { profileFor, type Policy, type ResolvedProfile } from '../policy/policy.ts';
import {
  classifyParty,
  decideContact,
  decideMessage,
  decideVisibility,
  type DecisionResult,
  type MessageDecision,
  type PairFacts,
  type Surface,
  type VisibilityResult,
} from './rules.ts';

export interface ContactQuery {
  senderId: string;
  recipientId: string;
  kind: 'message' | 'friend_request';
  /** Used when neither account's country is known. */
  country?: string | undefined;
}

export interface MessageQuery {
  senderId: string;
  recipientId: string;
  conversationId?: string | undefined;
  text: string;
  attachments?: { kind: string }[] | undefined;
  country?: string | undefined;
}

export interface VisibilityQuery {
  viewerId: string;
  subjectIds: string[];
  surface: Surface;
  country?: string | undefined;
}

export class Decider {
  constructor(
    private readonly storage: Storage,
    private readonly engines: EngineHost,
    private readonly policy: Policy,
  ) {}

  /**
   * The jurisdiction follows the account the rules protect: the recipient's country first (a child
   * receiving contact), then the sender's, then the caller's hint, then the default profile.
   */
  private profile(accounts: (AccountRecord | null | undefined)[], hint: string | undefined): ResolvedProfile {
    const country = accounts.find((a) => a?.country)?.country ?? hint ?? null;
    return profileFor(this.policy, country);
  }

  private async pair(tenantId: string, senderId: string, recipientId: string, hint: string | undefined): Promise<{ facts: PairFacts; resolved: ResolvedProfile; engine: DetectionEngine }> {
    const [ctx, engine] = await Promise.all([this.storage.contactContext(tenantId, senderId, recipientId), this.engines.engine(tenantId)]);
    const resolved = this.profile([ctx.recipient, ctx.sender], hint);
    const p = resolved.profile;
    const facts: PairFacts = {
      sender: classifyParty(senderId, ctx.sender, engine.accountInfo(senderId), engine.actorScore(senderId), p),
      recipient: classifyParty(recipientId, ctx.recipient, engine.accountInfo(recipientId), engine.actorScore(recipientId), p),
      connected: ctx.connected,
      blockedByRecipient: ctx.blockedByRecipient,
      blockedBySender: ctx.blockedBySender,
      mutualConnections: ctx.mutualConnections,
    };
    return { facts, resolved, engine };
  }

  async contact(tenantId: string, q: ContactQuery): Promise<DecisionResult & { modelId: string }> {
    const { facts, resolved } = await this.pair(tenantId, q.senderId, q.recipientId, q.country);
    // modelId: the risk model behind the detector scores the decision used.
    return { ...decideContact(facts, q.kind, resolved.profile, resolved.name), modelId: this.engines.modelIdFor(tenantId) };
  }

  async message(tenantId: string, q: MessageQuery): Promise<MessageDecision & { signals: string[]; modelId: string }> {
    const { facts, resolved, engine } = await this.pair(tenantId, q.senderId, q.recipientId, q.country);
    const signals = detectSignals(q.text).map((s) => s.kind);
    const result = decideMessage(
      {
        pair: facts,
        signals,
        conversationScore: q.conversationId ? engine.conversationScore(q.conversationId) : 0,
        hasImage: (q.attachments ?? []).some((a) => a.kind === 'image' || a.kind === 'video'),
      },
      resolved.profile,
      resolved.name,
    );
    return { ...result, signals: [...new Set(signals)], modelId: this.engines.modelIdFor(tenantId) };
  }

  async visibility(tenantId: string, q: VisibilityQuery): Promise<{ profile: string; results: VisibilityResult[]; modelId: string }> {
    const [accounts, connected, blocked, engine] = await Promise.all([
      this.storage.getAccounts(tenantId, [q.viewerId, ...q.subjectIds]),
      this.storage.connectedAmong(tenantId, q.viewerId, q.subjectIds),
      this.storage.blockedAmong(tenantId, q.viewerId, q.subjectIds),
      this.engines.engine(tenantId),
    ]);
    const viewerAccount = accounts.get(q.viewerId) ?? null;
    const resolved = this.profile([viewerAccount], q.country);
    const p = resolved.profile;
    const viewer = classifyParty(q.viewerId, viewerAccount, engine.accountInfo(q.viewerId), engine.actorScore(q.viewerId), p);
    const results = q.subjectIds.map((subjectId) => {
      // Each child subject is protected under its own jurisdiction's profile.
      const subjectAccount = accounts.get(subjectId) ?? null;
      const subjectProfile = subjectAccount?.country ? profileFor(this.policy, subjectAccount.country).profile : p;
      const subject = classifyParty(subjectId, subjectAccount, engine.accountInfo(subjectId), engine.actorScore(subjectId), subjectProfile);
      return decideVisibility({ viewer, subject, connected: connected.has(subjectId), blocked: blocked.has(subjectId) }, q.surface, subjectProfile);
    });
    return { profile: resolved.name, results, modelId: this.engines.modelIdFor(tenantId) };
  }
}
