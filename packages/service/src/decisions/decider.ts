// Gathers the facts for a decision (graph and declared ages from storage, disclosed ages and risk from
// the tenant's engine), picks the policy profile, and applies the rules.
import { detectSignals, type DetectionEngine } from '@lifeguard/core';
import type { AccountRecord, Storage } from '@lifeguard/storage';
import type { EngineHost } from '../engine/engineHost.ts';
import { profileFor, type Policy, type ResolvedProfile } from '../policy/policy.ts';
import { chooseLocale, Messages, type LocaleChoice } from '../i18n/catalogue.ts';
import { helpResourcesFor } from '../i18n/helplines.ts';
import {
  decideDefaults,
  decideGroupInvite,
  decideLocationShare,
  type DefaultsAnswer,
  type LocationShareResult,
  type SimpleDecision,
} from './safetyDesign.ts';
import {
  classifyParty,
  decideContact,
  decideMessage,
  decideVisibility,
  type DecisionResult,
  type MessageDecision,
  type PairFacts,
  type RuleText,
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
    readonly messages: Messages = new Messages(policy.messages),
  ) {}

  /**
   * Words for a decision: the protected (recipient) account's locale and its country's help services;
   * nudges for the sender in the sender's locale. `locale` says which locale was used and why.
   */
  private text(
    tenantId: string,
    recipient: AccountRecord | null,
    sender: AccountRecord | null,
    profile: ResolvedProfile,
  ): RuleText & { locale: LocaleChoice } {
    const locale = chooseLocale(recipient?.locale, recipient?.country);
    const senderLocale = chooseLocale(sender?.locale, sender?.country);
    return {
      t: this.messages.translator(tenantId, locale.used),
      sender: this.messages.translator(tenantId, senderLocale.used),
      help: helpResourcesFor(this.policy, profile.profile, recipient?.country ?? sender?.country),
      locale,
    };
  }

  /**
   * The jurisdiction follows the account the rules protect: the recipient's country first (a child
   * receiving contact), then the sender's, then the caller's hint, then the default profile.
   */
  private profile(accounts: (AccountRecord | null | undefined)[], hint: string | undefined): ResolvedProfile {
    const country = accounts.find((a) => a?.country)?.country ?? hint ?? null;
    return profileFor(this.policy, country);
  }

  private async pair(
    tenantId: string,
    senderId: string,
    recipientId: string,
    hint: string | undefined,
  ): Promise<{
    facts: PairFacts;
    resolved: ResolvedProfile;
    engine: DetectionEngine;
    text: RuleText & { locale: LocaleChoice };
  }> {
    const [ctx, engine] = await Promise.all([
      this.storage.contactContext(tenantId, senderId, recipientId),
      this.engines.engine(tenantId),
    ]);
    const resolved = this.profile([ctx.recipient, ctx.sender], hint);
    const p = resolved.profile;
    const facts: PairFacts = {
      sender: classifyParty(
        senderId,
        ctx.sender,
        engine.accountInfo(senderId),
        this.engines.actorScore(tenantId, engine, senderId),
        p,
      ),
      recipient: classifyParty(
        recipientId,
        ctx.recipient,
        engine.accountInfo(recipientId),
        this.engines.actorScore(tenantId, engine, recipientId),
        p,
      ),
      connected: ctx.connected,
      blockedByRecipient: ctx.blockedByRecipient,
      blockedBySender: ctx.blockedBySender,
      mutualConnections: ctx.mutualConnections,
    };
    return { facts, resolved, engine, text: this.text(tenantId, ctx.recipient, ctx.sender, resolved) };
  }

  async contact(
    tenantId: string,
    q: ContactQuery,
  ): Promise<DecisionResult & { locale: LocaleChoice; modelId: string }> {
    const { facts, resolved, text } = await this.pair(tenantId, q.senderId, q.recipientId, q.country);
    // modelId: the risk model behind the detector scores the decision used.
    return {
      ...decideContact(facts, q.kind, resolved.profile, resolved.name, text),
      locale: text.locale,
      modelId: this.engines.modelIdFor(tenantId),
    };
  }

  async message(
    tenantId: string,
    q: MessageQuery,
  ): Promise<MessageDecision & { signals: string[]; locale: LocaleChoice; modelId: string }> {
    const { facts, resolved, engine, text } = await this.pair(tenantId, q.senderId, q.recipientId, q.country);
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
      text,
    );
    return {
      ...result,
      signals: [...new Set(signals)],
      locale: text.locale,
      modelId: this.engines.modelIdFor(tenantId),
    };
  }

  async visibility(
    tenantId: string,
    q: VisibilityQuery,
  ): Promise<{ profile: string; results: VisibilityResult[]; locale: LocaleChoice; modelId: string }> {
    const [accounts, connected, blocked, engine] = await Promise.all([
      this.storage.getAccounts(tenantId, [q.viewerId, ...q.subjectIds]),
      this.storage.connectedAmong(tenantId, q.viewerId, q.subjectIds),
      this.storage.blockedAmong(tenantId, q.viewerId, q.subjectIds),
      this.engines.engine(tenantId),
    ]);
    const viewerAccount = accounts.get(q.viewerId) ?? null;
    const resolved = this.profile([viewerAccount], q.country);
    const p = resolved.profile;
    const viewer = classifyParty(
      q.viewerId,
      viewerAccount,
      engine.accountInfo(q.viewerId),
      this.engines.actorScore(tenantId, engine, q.viewerId),
      p,
    );
    const locale = chooseLocale(viewerAccount?.locale, viewerAccount?.country);
    const t = this.messages.translator(tenantId, locale.used);
    const results = q.subjectIds.map((subjectId) => {
      // Each child subject is protected under its own jurisdiction's profile.
      const subjectAccount = accounts.get(subjectId) ?? null;
      const subjectProfile = subjectAccount?.country ? profileFor(this.policy, subjectAccount.country).profile : p;
      const subject = classifyParty(
        subjectId,
        subjectAccount,
        engine.accountInfo(subjectId),
        this.engines.actorScore(tenantId, engine, subjectId),
        subjectProfile,
      );
      return decideVisibility(
        { viewer, subject, connected: connected.has(subjectId), blocked: blocked.has(subjectId) },
        q.surface,
        subjectProfile,
        t,
      );
    });
    return { profile: resolved.name, results, locale, modelId: this.engines.modelIdFor(tenantId) };
  }

  // Safety by design for child accounts (family-centre) ------------------------------------------

  private async party(
    tenantId: string,
    userId: string,
    override: Partial<Pick<AccountRecord, 'age' | 'ageBand' | 'country' | 'locale'>> = {},
  ) {
    const [stored, engine] = await Promise.all([
      this.storage.getAccount(tenantId, userId),
      this.engines.engine(tenantId),
    ]);
    const defined = Object.fromEntries(Object.entries(override).filter(([, v]) => v !== undefined));
    const account: AccountRecord | null =
      stored || Object.keys(defined).length
        ? {
            userId,
            age: null,
            ageBand: null,
            country: null,
            locale: null,
            createdAt: null,
            updatedAt: 0,
            ...stored,
            ...defined,
          }
        : null;
    const resolved = profileFor(this.policy, account?.country);
    const facts = classifyParty(
      userId,
      account,
      engine.accountInfo(userId),
      this.engines.actorScore(tenantId, engine, userId),
      resolved.profile,
    );
    const locale = chooseLocale(account?.locale, account?.country);
    return { account, resolved, facts, locale, t: this.messages.translator(tenantId, locale.used) };
  }

  /** The defaults for a new or changed account; age, ageBand and country in the query win over stored ones. */
  async defaults(
    tenantId: string,
    q: {
      userId: string;
      age?: number | undefined;
      ageBand?: string | undefined;
      country?: string | undefined;
      locale?: string | undefined;
    },
  ): Promise<DefaultsAnswer & { locale: LocaleChoice }> {
    const p = await this.party(tenantId, q.userId, {
      age: q.age,
      ageBand: q.ageBand,
      country: q.country,
      locale: q.locale,
    });
    return { ...decideDefaults(p.facts, p.resolved.profile, p.resolved.name, p.t), locale: p.locale };
  }

  async groupInvite(
    tenantId: string,
    q: { inviterId: string; inviteeId: string; inviteeConsented: boolean },
  ): Promise<SimpleDecision & { locale: LocaleChoice }> {
    const [inviter, invitee, ctx] = await Promise.all([
      this.party(tenantId, q.inviterId),
      this.party(tenantId, q.inviteeId),
      this.storage.contactContext(tenantId, q.inviterId, q.inviteeId),
    ]);
    // The invitee's jurisdiction decides who counts as a child on both sides.
    const inviterFacts = inviter.account?.country
      ? inviter.facts
      : classifyParty(q.inviterId, inviter.account, null, 0, invitee.resolved.profile);
    const result = decideGroupInvite(
      {
        inviter: inviterFacts,
        invitee: invitee.facts,
        connected: ctx.connected,
        blocked: ctx.blockedByRecipient || ctx.blockedBySender,
        inviteeConsented: q.inviteeConsented,
      },
      invitee.resolved.name,
      invitee.t,
    );
    return { ...result, locale: invitee.locale };
  }

  async locationShare(
    tenantId: string,
    q: { userId: string; viewerIds: string[] },
  ): Promise<LocationShareResult & { locale: LocaleChoice }> {
    const [child, connected] = await Promise.all([
      this.party(tenantId, q.userId),
      this.storage.connectedAmong(tenantId, q.userId, q.viewerIds),
    ]);
    const viewers = [...new Set(q.viewerIds)]
      .filter((v) => v !== q.userId)
      .map((viewerId) => ({ viewerId, connected: connected.has(viewerId) }));
    return {
      ...decideLocationShare(child.facts, viewers, child.resolved.name, child.t, child.t),
      locale: child.locale,
    };
  }
}
