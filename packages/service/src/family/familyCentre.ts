// Family Centre: consented links between a parent or carer and a teen, and the view both of them see.
// The view is computed from metadata only (connections, who exchanged messages and when, safety
// prompt kinds, reported settings); this module never reads message events, text or media. Every view
// is written to the tenant's audit log, and link changes and alerts go to the platform's signed webhooks.
import type {
  AccountRecord,
  DisplayNameUpdate,
  FamilyLink,
  FamilyLinkBasis,
  SafetyWarningRecord,
  Storage,
} from '@lifeguard/storage';
import { ConflictError } from '@lifeguard/storage';
import { ApiError } from '../http/errors.ts';
import { chooseLocale, type LocaleChoice, type Messages, type Translate } from '../i18n/catalogue.ts';
import { helpResourcesFor } from '../i18n/helplines.ts';
import { SAFETY_DEFAULTS, type Policy, type SafetyDefault } from '../policy/policy.ts';
import { ageFacts, type AgeClass } from './ages.ts';
import { WarningWrites } from './warningWrites.ts';

export const WINDOW_MS = 7 * 86_400_000;
/** Most connections listed in one view (the total is always given). */
export const MAX_CONNECTIONS = 5_000;
export const FAMILY_WEBHOOK = 'family.notification';

export interface FamilyViewData {
  linkId: string;
  parentId: string;
  teenId: string;
  /** Start of the 7-day window. */
  since: number;
  connections: { total: number; accounts: { userId: string; since: number }[] };
  /** Who the teen exchanged messages with in the window: ids, counts and times, never content. */
  recentContacts: { userId: string; messages: number; lastAt: number; connected: boolean }[];
  newConnections: { userId: string; since: number; age: AgeClass }[];
  settings: {
    state: 'on' | 'changed' | 'unknown';
    updatedAt: number | null;
    items: { setting: SafetyDefault; on: boolean | null }[];
  };
  /** Kinds of safety prompts shown to the teen in the window (no message content). */
  warnings: { kind: string; at: number; accountId: string | null }[];
  /**
   * Display names the platform reported (PUT /v1/family/names) for accounts in this view, by id; only
   * when asked for (the page always asks; an app has its own names).
   */
  names?: Record<string, string>;
}

export interface FamilyView {
  viewer: { userId: string; role: 'parent' | 'teen' };
  locale: LocaleChoice;
  /** Identical for the parent and the teen. */
  data: FamilyViewData;
  help: { name: string; url: string; phone?: string }[];
}

type Role = 'parent' | 'teen';

export class FamilyCentre {
  private readonly warningWrites: WarningWrites;

  constructor(
    private readonly storage: Storage,
    private readonly policy: Policy,
    private readonly messages: Messages,
    private readonly log: { error(obj: object, msg: string): void } = console,
  ) {
    this.warningWrites = new WarningWrites(storage);
  }

  /** The locale and translator for an account (its locale from the account event, then fallbacks). */
  textFor(tenantId: string, account: AccountRecord | null | undefined): { t: Translate; locale: LocaleChoice } {
    const locale = chooseLocale(account?.locale, account?.country);
    return { t: this.messages.translator(tenantId, locale.used), locale };
  }

  /** What the teen is told about a link, in the teen's words and language. */
  explanation(
    tenantId: string,
    teen: AccountRecord | null,
    link: Pick<FamilyLink, 'parentId'>,
  ): { locale: LocaleChoice; invite: string; canSee: string; cannotSee: string; ending: string } {
    const { t, locale } = this.textFor(tenantId, teen);
    const canEnd = this.teenMayEndAlone(teen);
    return {
      locale,
      invite: t('family.invite', { parent: link.parentId }),
      canSee: t('family.explain.can_see'),
      cannotSee: t('family.explain.cannot_see'),
      ending: t('family.explain.end', { canEnd: canEnd ? 'yes' : 'no' }),
    };
  }

  /** Whether the viewer may end the link from the page: the parent always, the teen where the policy allows. */
  async mayEnd(tenantId: string, link: FamilyLink, role: Role): Promise<boolean> {
    return role === 'parent' || this.teenMayEndAlone(await this.storage.getAccount(tenantId, link.teenId));
  }

  teenMayEndAlone(teen: AccountRecord | null): boolean {
    const facts = ageFacts(this.policy, teen);
    const from = facts.resolved.profile.family.teenMayEndAloneFrom;
    return from !== null && facts.minAge !== null && facts.minAge >= from;
  }

  async invite(
    tenantId: string,
    req: { parentId: string; teenId: string; basis: FamilyLinkBasis },
    now: number,
  ): Promise<{ link: FamilyLink; explanation: ReturnType<FamilyCentre['explanation']> }> {
    if (req.parentId === req.teenId)
      throw new ApiError(
        400,
        'invalid_request',
        'parentId and teenId are the same account; a link joins two different accounts',
      );
    const accounts = await this.storage.getAccounts(tenantId, [req.parentId, req.teenId]);
    for (const [who, id] of [
      ['parent', req.parentId],
      ['teen', req.teenId],
    ] as const) {
      if (!accounts.has(id)) {
        throw new ApiError(
          404,
          'not_found',
          `no account "${id}" (${who}) on this platform: send its account event first (accounts of other platforms cannot be linked)`,
        );
      }
    }
    const parent = ageFacts(this.policy, accounts.get(req.parentId));
    const teen = ageFacts(this.policy, accounts.get(req.teenId));
    if (parent.cls === 'adult' && teen.cls === 'adult') {
      throw new ApiError(
        400,
        'invalid_request',
        `both accounts are adults (${req.parentId}, ${req.teenId}): Family Centre links a parent or carer with a child account`,
      );
    }
    if (parent.cls !== 'adult') {
      throw new ApiError(
        400,
        'invalid_request',
        parent.cls === 'unknown'
          ? `the parent account ${req.parentId} has no declared age: send an account event with age or ageBand "adult" first`
          : `the parent account ${req.parentId} is a child account: only an adult can be the parent or carer in a link`,
      );
    }
    if (teen.cls !== 'child') {
      throw new ApiError(
        400,
        'invalid_request',
        `the teen account ${req.teenId} has no declared age: send an account event with its age or age band first`,
      );
    }
    if (req.basis === 'platform_age_rule') {
      const under = teen.resolved.profile.family.platformLinksUnder;
      if (teen.maxAge === null || teen.maxAge >= under) {
        throw new ApiError(
          400,
          'invalid_request',
          `basis "platform_age_rule" is only for children under ${under} under profile ${teen.resolved.name}; the teen ${req.teenId} must accept the invitation`,
        );
      }
    }
    const active = req.basis === 'platform_age_rule';
    let link: FamilyLink;
    try {
      link = await this.storage.createFamilyLink(tenantId, {
        parentId: req.parentId,
        teenId: req.teenId,
        status: active ? 'active' : 'pending',
        basis: req.basis,
        createdAt: now,
        acceptedAt: active ? now : null,
        endedAt: null,
        endedBy: null,
      });
    } catch (err) {
      if (err instanceof ConflictError || (err as Error).name === 'ConflictError')
        throw new ApiError(
          409,
          'conflict',
          `${req.parentId} and ${req.teenId} already have a pending or active link; end it before inviting again`,
        );
      throw err;
    }
    await this.notify(
      tenantId,
      link,
      active ? 'linked_by_platform' : 'invited',
      active ? link.parentId : link.teenId,
      accounts,
      now,
    );
    return { link, explanation: this.explanation(tenantId, accounts.get(req.teenId) ?? null, link) };
  }

  async link(tenantId: string, linkId: string): Promise<FamilyLink> {
    const link = await this.storage.getFamilyLink(tenantId, linkId);
    if (!link) throw new ApiError(404, 'not_found', `no family link "${linkId}" on this platform`);
    return link;
  }

  private roleOf(link: FamilyLink, userId: string): Role {
    if (userId === link.parentId) return 'parent';
    if (userId === link.teenId) return 'teen';
    throw new ApiError(403, 'forbidden', `account ${userId} is not part of link ${link.id}`);
  }

  async respond(tenantId: string, linkId: string, teenId: string, accept: boolean, now: number): Promise<FamilyLink> {
    const link = await this.link(tenantId, linkId);
    if (this.roleOf(link, teenId) !== 'teen')
      throw new ApiError(
        403,
        'forbidden',
        `only the teen (${link.teenId}) can ${accept ? 'accept' : 'decline'} link ${link.id}`,
      );
    const moved = await this.storage.transitionFamilyLink(tenantId, linkId, ['pending'], {
      status: accept ? 'active' : 'declined',
      at: now,
      by: teenId,
    });
    if (!moved)
      throw new ApiError(
        409,
        'conflict',
        `link ${link.id} is ${link.status}, not pending; only a pending invitation can be ${accept ? 'accepted' : 'declined'}`,
      );
    await this.notify(tenantId, moved, accept ? 'accepted' : 'declined', moved.parentId, null, now);
    return moved;
  }

  async end(tenantId: string, linkId: string, userId: string, now: number): Promise<FamilyLink> {
    const link = await this.link(tenantId, linkId);
    const role = this.roleOf(link, userId);
    if (role === 'teen' && link.status === 'active') {
      const teen = await this.storage.getAccount(tenantId, link.teenId);
      if (!this.teenMayEndAlone(teen)) {
        const from = ageFacts(this.policy, teen).resolved.profile.family.teenMayEndAloneFrom;
        throw new ApiError(
          403,
          'forbidden',
          from === null
            ? `the policy does not let a teen end a link alone; the parent (${link.parentId}) or the platform can end it`
            : `a teen can end a link alone from age ${from}; ${link.teenId} is younger (or has no declared age), so the parent (${link.parentId}) or the platform must end it`,
        );
      }
    }
    const moved = await this.storage.transitionFamilyLink(tenantId, linkId, ['pending', 'active'], {
      status: 'ended',
      at: now,
      by: userId,
    });
    if (!moved) throw new ApiError(409, 'conflict', `link ${link.id} is already ${link.status}`);
    await this.notify(tenantId, moved, 'ended', role === 'parent' ? moved.teenId : moved.parentId, null, now);
    return moved;
  }

  /** The view, identical in content for the parent and the teen; logged in the audit log. */
  async view(
    tenantId: string,
    linkId: string,
    viewerId: string,
    now: number,
    options: { names?: boolean } = {},
  ): Promise<FamilyView> {
    const link = await this.link(tenantId, linkId);
    const role = this.roleOf(link, viewerId);
    if (link.status !== 'active')
      throw new ApiError(409, 'conflict', `link ${link.id} is ${link.status}; only an active link has a view`);
    const since = now - WINDOW_MS;
    // The audit entry is written alongside the reads (its own transaction), and awaited before the view
    // is returned: a view that could not be logged is not shown.
    const audited = this.storage.appendAudit(tenantId, {
      at: now,
      actor: { id: viewerId, name: viewerId, role },
      action: 'family.view',
      caseId: null,
      targetId: link.teenId,
      details: { linkId: link.id, role },
    });
    audited.catch(() => {}); // handled by the await below; a read failing first must not leave it unhandled
    const [contacts, connections, warnings, settings, accounts] = await Promise.all([
      this.storage.messageContacts(tenantId, link.teenId, since),
      this.storage.connectionsSince(tenantId, link.teenId, MAX_CONNECTIONS + 1),
      this.storage.safetyWarnings(tenantId, link.teenId, since, 200),
      this.storage.accountSettings(tenantId, link.teenId),
      this.storage.getAccounts(tenantId, [link.parentId, link.teenId]),
    ]);
    // Objects are built field by field: a
    // spread per row is an order of magnitude slower for thousands of rows.
    const connected = new Set<string>();
    const fresh: { userId: string; since: number }[] = [];
    for (const c of connections) {
      connected.add(c.userId);
      if (c.since >= since) fresh.push(c);
    }
    const named = new Set<string>();
    if (options.names) {
      named.add(link.parentId).add(link.teenId);
      for (const id of connected) named.add(id);
      for (const c of contacts) named.add(c.userId);
      for (const w of warnings) if (w.counterpartId) named.add(w.counterpartId);
    }
    const [freshAccounts, names] = await Promise.all([
      fresh.length
        ? this.storage.getAccounts(
            tenantId,
            fresh.map((c) => c.userId),
          )
        : new Map<string, AccountRecord>(),
      options.names ? this.storage.displayNames(tenantId, [...named]) : null,
    ]);
    const recentContacts: FamilyViewData['recentContacts'] = new Array(contacts.length);
    for (let i = 0; i < contacts.length; i++) {
      const c = contacts[i]!;
      recentContacts[i] = {
        userId: c.userId,
        messages: c.messages,
        lastAt: c.lastAt,
        connected: connected.has(c.userId),
      };
    }
    const data: FamilyViewData = {
      linkId: link.id,
      parentId: link.parentId,
      teenId: link.teenId,
      since,
      connections: {
        total:
          connections.length > MAX_CONNECTIONS
            ? await this.countConnections(tenantId, link.teenId)
            : connections.length,
        accounts: connections.length > MAX_CONNECTIONS ? connections.slice(0, MAX_CONNECTIONS) : connections,
      },
      recentContacts,
      newConnections: fresh.map((c) => ({
        userId: c.userId,
        since: c.since,
        age: ageFacts(this.policy, freshAccounts.get(c.userId)).cls,
      })),
      settings: this.settingsState(settings),
      warnings: warnings.map((w) => ({ kind: w.kind, at: w.at, accountId: w.counterpartId })),
      ...(names ? { names: Object.fromEntries(names) } : {}),
    };
    await audited;
    const viewer = accounts.get(viewerId);
    const teen = accounts.get(link.teenId);
    const { locale } = this.textFor(tenantId, viewer);
    const facts = ageFacts(this.policy, teen);
    const help = helpResourcesFor(this.policy, facts.resolved.profile, teen?.country).map((r) =>
      r.phone ? { name: r.name, url: r.url, phone: r.phone } : { name: r.name, url: r.url },
    );
    return { viewer: { userId: viewerId, role }, locale, data, help };
  }

  private async countConnections(tenantId: string, userId: string): Promise<number> {
    return (await this.storage.listConnections(tenantId, userId, 1_000_000)).length;
  }

  private settingsState(
    stored: { settings: Record<string, unknown>; updatedAt: number } | null,
  ): FamilyViewData['settings'] {
    if (!stored)
      return { state: 'unknown', updatedAt: null, items: SAFETY_DEFAULTS.map((setting) => ({ setting, on: null })) };
    const items = SAFETY_DEFAULTS.map((setting) => ({
      setting,
      on: typeof stored.settings[setting] === 'boolean' ? (stored.settings[setting] as boolean) : null,
    }));
    return {
      state: items.some((i) => i.on === false) ? 'changed' : items.every((i) => i.on === true) ? 'on' : 'unknown',
      updatedAt: stored.updatedAt,
      items,
    };
  }

  /** Stores the settings the platform reports; parents of active links are told about any change. */
  async putSettings(
    tenantId: string,
    userId: string,
    settings: Partial<Record<SafetyDefault, boolean>>,
    now: number,
  ): Promise<{ changed: SafetyDefault[] }> {
    const previous = await this.storage.putAccountSettings(tenantId, userId, settings, now);
    const changed = SAFETY_DEFAULTS.filter((k) => previous !== null && k in settings && previous[k] !== settings[k]);
    if (changed.length) {
      const turnedOff = changed.filter((k) => settings[k] === false);
      for (const link of await this.storage.activeLinksForTeens(tenantId, [userId])) {
        await this.notify(
          tenantId,
          link,
          'settings_changed',
          link.parentId,
          null,
          now,
          { changed: changed.map((k) => ({ setting: k, on: settings[k] })) },
          { count: turnedOff.length },
        );
      }
    }
    return { changed };
  }

  /** Display names the platform shows for its accounts, so the view and the page can say who. */
  async putNames(
    tenantId: string,
    names: DisplayNameUpdate[],
    now: number,
  ): Promise<{ stored: number; removed: number }> {
    await this.storage.putDisplayNames(tenantId, names, now);
    const removed = names.filter((n) => n.name === null).length;
    return { stored: names.length - removed, removed };
  }

  /** A parent or teen reports an account to the platform's moderators (a webhook and an audit entry). */
  async report(tenantId: string, linkId: string, reporterId: string, accountId: string, now: number): Promise<void> {
    const link = await this.link(tenantId, linkId);
    const role = this.roleOf(link, reporterId);
    if (link.status !== 'active')
      throw new ApiError(409, 'conflict', `link ${link.id} is ${link.status}; reports go through an active link`);
    await this.storage.appendAudit(tenantId, {
      at: now,
      actor: { id: reporterId, name: reporterId, role },
      action: 'family.report',
      caseId: null,
      targetId: accountId,
      details: { linkId: link.id, teenId: link.teenId },
    });
    await this.storage.enqueueWebhookEvent(
      tenantId,
      {
        type: 'family.report',
        payload: { linkId: link.id, reporterId, reporterRole: role, teenId: link.teenId, accountId, at: now },
      },
      now,
    );
  }

  /** Prompts shown to a child, kept as kinds so the family view can list them (never the message). */
  async recordWarnings(tenantId: string, warnings: SafetyWarningRecord[]): Promise<void> {
    await this.warningWrites.record(tenantId, warnings);
  }

  /** Ingest hook: a teen with an active link connecting with an adult (or an account of unknown age). */
  async onAccepted(
    tenantId: string,
    events: readonly { type: string; action?: string; actorId?: string; targetId?: string; time?: string | number }[],
  ): Promise<void> {
    const accepts = events.filter(
      (e) =>
        e.type === 'contact' && e.action === 'friend_accept' && e.actorId && e.targetId && e.actorId !== e.targetId,
    );
    if (!accepts.length) return;
    const parties = [...new Set(accepts.flatMap((e) => [e.actorId!, e.targetId!]))];
    const links = await this.storage.activeLinksForTeens(tenantId, parties);
    if (!links.length) return;
    const accounts = await this.storage.getAccounts(tenantId, parties);
    const now = Date.now();
    for (const e of accepts) {
      for (const link of links) {
        const other = link.teenId === e.actorId ? e.targetId! : link.teenId === e.targetId ? e.actorId! : null;
        if (!other || other === link.parentId) continue;
        const age = ageFacts(this.policy, accounts.get(other)).cls;
        if (age === 'child') continue;
        await this.notify(
          tenantId,
          link,
          'adult_connection',
          link.parentId,
          null,
          now,
          { otherId: other, otherAge: age },
          { other },
        );
      }
    }
  }

  /** Case hook: a high-risk case about an account that messaged a linked teen in the last 7 days. */
  async onCaseOpened(tenantId: string, accusedId: string, level: string, now: number): Promise<void> {
    if (level !== 'high' && level !== 'critical') return;
    const teens = await this.storage.messageContactsWith(tenantId, accusedId, now - WINDOW_MS);
    if (!teens.length) return;
    for (const link of await this.storage.activeLinksForTeens(tenantId, teens)) {
      await this.notify(
        tenantId,
        link,
        'high_risk_case',
        link.parentId,
        null,
        now,
        { otherId: accusedId },
        { other: accusedId },
      );
    }
  }

  /**
   * One signed webhook per notification, addressed to the account to tell (`notify`), with the text in
   * that account's language. Kinds: invited, linked_by_platform, accepted, declined, ended,
   * adult_connection, high_risk_case, settings_changed. Never any message content.
   */
  private async notify(
    tenantId: string,
    link: FamilyLink,
    kind: string,
    notifyId: string,
    known: Map<string, AccountRecord> | null,
    now: number,
    extra: Record<string, unknown> = {},
    params: Record<string, string | number> = {},
  ): Promise<void> {
    const account = known?.get(notifyId) ?? (await this.storage.getAccount(tenantId, notifyId));
    const { t, locale } = this.textFor(tenantId, account);
    const key = kind === 'linked_by_platform' ? 'family.notify.accepted' : `family.notify.${kind}`;
    const message = t(key, { parent: link.parentId, teen: link.teenId, other: '', count: 0, ...params });
    try {
      await this.storage.enqueueWebhookEvent(
        tenantId,
        {
          type: FAMILY_WEBHOOK,
          payload: {
            kind,
            linkId: link.id,
            parentId: link.parentId,
            teenId: link.teenId,
            status: link.status,
            notify: notifyId,
            locale: locale.used,
            message,
            at: now,
            ...extra,
          },
        },
        now,
      );
    } catch (err) {
      // The change itself is committed; failing the request now would only invite a retry that is refused.
      this.log.error({ err, tenantId, linkId: link.id, kind }, 'could not queue a family notification');
    }
  }
}
