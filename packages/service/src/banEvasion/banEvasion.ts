// Ban evasion: when an account is disabled for child safety, new accounts that share its device, its
// mailbox or phone, its payment or network fingerprint, a near-identical profile photo or a look-alike
// username are flagged or blocked at sign-up, each link explained in words a moderator can check.
//
// Privacy: exact identifiers are stored as HMAC-SHA-256 of the normalised value under a per-tenant
// secret (made at first use), so the table cannot be read back into addresses and numbers, and two
// tenants' hashes of the same email differ. Usernames are public and kept as their skeleton; photos as
// PDQ hex. Explanations name the banned account and the kind of link, never its identifiers.
import { createHmac, randomBytes } from 'node:crypto';
import { hammingDistance, hexToHash } from '@lifeguard/pdq/pure';
import type { AccountBanRecord, AccountIdentifier, IdentifierMatch, Storage } from '@lifeguard/storage';
import type { BanEvasionPolicy, BanLinkKind } from '../policy/policy.ts';
import {
  compareUsernames,
  IdentifierError,
  normaliseEmail,
  normaliseOpaque,
  normalisePhone,
  usernameForms,
  usernameKeys,
  type UsernameForms,
  type UsernameLink,
} from './normalize.ts';

export { IdentifierError } from './normalize.ts';

/** What a platform knows about an account at sign-up or later. Absent fields are left as stored. */
export interface IdentifierInput {
  email?: string | null;
  phone?: string | null;
  username?: string | null;
  deviceIds?: string[];
  paymentFingerprints?: string[];
  ipFingerprints?: string[];
  /** Profile photos as PDQ hashes (64 hex characters). */
  photoPdq?: string[];
}

export interface BanInput {
  reason: string;
  caseId?: string | null;
  /** Who disabled the account: a staff member's name or id, or the API key's name. */
  actor: string;
  at?: number;
}

export interface LiftInput {
  actor: string;
  at?: number;
  note?: string | null;
}

export interface SignupLink {
  bannedAccountId: string;
  kind: BanLinkKind;
  /** 1 for an identical identifier; the similarity (0..1) for usernames and photos. */
  strength: number;
  /** What the policy does with this kind of link. */
  action: 'block' | 'flag';
  explanation: string;
}

export interface SignupDecision {
  decision: 'allow' | 'flag' | 'block';
  links: SignupLink[];
  /** One line per reason for the decision, most serious first. */
  reasons: string[];
}

export interface LinkedAccount {
  userId: string;
  /** The account has an active ban (any reason). */
  banned: boolean;
  links: { kind: BanLinkKind; explanation: string }[];
}

/** Stored identifier kinds: the link kinds, plus username lookup keys and the username's full folded form. */
const USERNAME_KEY = 'username_key';
const USERNAME_FULL = 'username_full';
const EXACT_KINDS = ['device_id', 'email', 'phone', 'payment_fingerprint', 'ip_fingerprint'] as const;
type ExactKind = (typeof EXACT_KINDS)[number];

const WORDS: Record<BanLinkKind, string> = {
  device_id: 'device id',
  email: 'email address (after normalising)',
  phone: 'phone number (after normalising)',
  payment_fingerprint: 'payment fingerprint',
  ip_fingerprint: 'IP fingerprint',
  username: 'username',
  photo: 'profile photo',
};
const KIND_ORDER: BanLinkKind[] = [
  'device_id',
  'email',
  'phone',
  'payment_fingerprint',
  'photo',
  'username',
  'ip_fingerprint',
];

/** Bounds on the work one check may do. */
const MAX_CANDIDATES = 200;
const MAX_USERNAME_CANDIDATES = 50;
const MAX_BANNED_PHOTOS = 20_000;
const MAX_LINKED_ACCOUNTS = 50;

interface PreparedIdentifiers {
  /** Kinds the input mentions (stored rows of these kinds are replaced). */
  kinds: string[];
  rows: AccountIdentifier[];
  username: UsernameForms | null;
  photos: string[];
}

export class BanEvasion {
  private readonly secrets = new Map<string, Promise<string>>();

  constructor(
    private readonly storage: Storage,
    private readonly policy: BanEvasionPolicy,
  ) {}

  /** Whether a ban for this reason counts for ban evasion. */
  isChildSafetyReason(reason: string): boolean {
    return this.policy.childSafetyReasons.includes(reason);
  }

  /**
   * Records that an account was disabled. Any reason is recorded; only child-safety reasons link new
   * accounts. Recording the same active ban again (same reason and case) changes nothing.
   */
  async recordBan(tenantId: string, userId: string, ban: BanInput): Promise<AccountBanRecord> {
    const caseId = ban.caseId ?? null;
    const active = await this.storage.accountBans(tenantId, [userId], { activeOnly: true });
    const same = active.find((b) => b.reason === ban.reason && b.caseId === caseId);
    if (same) return same;
    return this.storage.addAccountBan(tenantId, {
      userId,
      reason: ban.reason,
      caseId,
      actor: ban.actor,
      at: ban.at ?? Date.now(),
    });
  }

  /** Lifts the account's active bans (an appeal upheld, a mistake); returns how many were lifted. */
  async liftBan(tenantId: string, userId: string, lift: LiftInput): Promise<number> {
    return this.storage.liftAccountBans(tenantId, userId, {
      actor: lift.actor,
      at: lift.at ?? Date.now(),
      note: lift.note ?? null,
    });
  }

  /** The account's bans, oldest first. */
  bans(tenantId: string, userId: string): Promise<AccountBanRecord[]> {
    return this.storage.accountBans(tenantId, [userId]);
  }

  /** Stores what is known about an existing account (kinds present in the input replace the stored ones). */
  async recordIdentifiers(tenantId: string, userId: string, input: IdentifierInput, at = Date.now()): Promise<void> {
    const prepared = await this.prepare(tenantId, input);
    if (prepared.kinds.length > 0)
      await this.storage.replaceAccountIdentifiers(tenantId, userId, prepared.kinds, prepared.rows, at);
  }

  /**
   * The sign-up decision for a new account: links to accounts with an active child-safety ban, each
   * blocking or flagging as the policy says. The new account's identifiers are recorded too, so a
   * later ban of this account links the accounts after it.
   */
  async checkSignup(
    tenantId: string,
    accountId: string,
    input: IdentifierInput,
    at = Date.now(),
  ): Promise<SignupDecision> {
    const prepared = await this.prepare(tenantId, input);
    const reasons = this.policy.childSafetyReasons;
    // The lookups leave this account out, so its identifiers can be written at the same time.
    const [found] = await Promise.all([
      this.findLinks(tenantId, accountId, prepared, reasons),
      prepared.kinds.length > 0
        ? this.storage.replaceAccountIdentifiers(tenantId, accountId, prepared.kinds, prepared.rows, at)
        : null,
    ]);

    const bans = await this.banIndex(tenantId, [...new Set(found.map((f) => f.userId))], reasons);
    // One link per banned account and kind (two shared device ids are one device link), the strongest.
    const strongest = new Map<string, Found>();
    for (const f of found) {
      const key = `${f.userId}\u0000${f.kind}`;
      if ((strongest.get(key)?.strength ?? -1) < f.strength) strongest.set(key, f);
    }
    const links: SignupLink[] = [];
    for (const f of strongest.values()) {
      const action = this.policy.links[f.kind];
      const ban = bans.get(f.userId);
      if (action === 'ignore' || !ban) continue;
      links.push({
        bannedAccountId: f.userId,
        kind: f.kind,
        strength: round(f.strength),
        action,
        explanation: explain(f, ban),
      });
    }
    links.sort(
      (a, b) =>
        rank(a.action) - rank(b.action) ||
        KIND_ORDER.indexOf(a.kind) - KIND_ORDER.indexOf(b.kind) ||
        b.strength - a.strength ||
        a.bannedAccountId.localeCompare(b.bannedAccountId),
    );
    const decision = links.some((l) => l.action === 'block') ? 'block' : links.length > 0 ? 'flag' : 'allow';
    const lines = links.map((l) => `${l.action === 'block' ? 'blocks' : 'flags'}: ${l.explanation}`);
    if (decision === 'flag' && links.every((l) => l.kind === 'ip_fingerprint')) {
      lines.push('an IP fingerprint alone only flags: schools, households and mobile networks share addresses');
    }
    return {
      decision,
      links,
      reasons: decision === 'allow' ? ['no link to an account disabled for child safety'] : lines,
    };
  }

  /**
   * Accounts linked to this one by any stored identifier, banned or not (for the case view), most
   * telling first: banned accounts, then by how many kinds of link. At most 50.
   */
  async linkedAccounts(tenantId: string, userId: string): Promise<LinkedAccount[]> {
    const stored = await this.storage.accountIdentifiers(tenantId, userId);
    if (stored.length === 0) return [];
    const username = storedUsername(stored);
    const prepared: PreparedIdentifiers = {
      kinds: [],
      rows: stored,
      username,
      photos: stored.filter((i) => i.kind === 'photo').map((i) => i.value),
    };
    const found = await this.findLinks(tenantId, userId, prepared, null);
    const ids = [...new Set(found.map((f) => f.userId))];
    const bans = await this.banIndex(tenantId, ids, null);
    const byAccount = new Map<string, LinkedAccount>();
    for (const f of found) {
      let entry = byAccount.get(f.userId);
      if (!entry) {
        entry = { userId: f.userId, banned: bans.has(f.userId), links: [] };
        byAccount.set(f.userId, entry);
      }
      if (!entry.links.some((l) => l.kind === f.kind))
        entry.links.push({ kind: f.kind, explanation: explain(f, bans.get(f.userId) ?? null) });
    }
    const out = [...byAccount.values()];
    for (const a of out) a.links.sort((x, y) => KIND_ORDER.indexOf(x.kind) - KIND_ORDER.indexOf(y.kind));
    out.sort(
      (a, b) =>
        Number(b.banned) - Number(a.banned) || b.links.length - a.links.length || a.userId.localeCompare(b.userId),
    );
    return out.slice(0, MAX_LINKED_ACCOUNTS);
  }

  // Internals ---------------------------------------------------------------------------------------

  /** The tenant's HMAC secret: read once per process, created on first use. */
  private secret(tenantId: string): Promise<string> {
    let secret = this.secrets.get(tenantId);
    if (!secret) {
      secret = this.storage.identifierSecret(tenantId, randomBytes(32).toString('base64url'));
      secret.catch(() => this.secrets.delete(tenantId));
      this.secrets.set(tenantId, secret);
    }
    return secret;
  }

  /** Normalises and protects the input; throws IdentifierError naming the field for unusable values. */
  private async prepare(tenantId: string, input: IdentifierInput): Promise<PreparedIdentifiers> {
    const secret = await this.secret(tenantId);
    const kinds: string[] = [];
    const rows: AccountIdentifier[] = [];
    const hashed = (kind: ExactKind, values: string[]) => {
      kinds.push(kind);
      for (const v of new Set(values)) rows.push({ kind, value: keyedHash(secret, kind, v) });
    };
    const field = <T>(name: string, fn: () => T): T => {
      try {
        return fn();
      } catch (err) {
        if (err instanceof IdentifierError) throw new IdentifierError(`${name}: ${err.message}`);
        throw err;
      }
    };
    if (input.email !== undefined)
      hashed('email', input.email === null ? [] : [field('email', () => normaliseEmail(input.email!))]);
    if (input.phone !== undefined)
      hashed(
        'phone',
        input.phone === null
          ? []
          : [field('phone', () => normalisePhone(input.phone!, this.policy.defaultCallingCode))],
      );
    if (input.deviceIds !== undefined)
      hashed(
        'device_id',
        input.deviceIds.map((v, i) => field(`deviceIds.${i}`, () => normaliseOpaque(v))),
      );
    if (input.paymentFingerprints !== undefined)
      hashed(
        'payment_fingerprint',
        input.paymentFingerprints.map((v, i) => field(`paymentFingerprints.${i}`, () => normaliseOpaque(v))),
      );
    if (input.ipFingerprints !== undefined)
      hashed(
        'ip_fingerprint',
        input.ipFingerprints.map((v, i) => field(`ipFingerprints.${i}`, () => normaliseOpaque(v))),
      );
    let username: UsernameForms | null = null;
    if (input.username !== undefined) {
      kinds.push('username', USERNAME_FULL, USERNAME_KEY);
      if (input.username !== null) {
        username = usernameForms(input.username);
        if (username.full === '') throw new IdentifierError('username: has no letters or digits');
        rows.push({ kind: USERNAME_FULL, value: username.full });
        if (username.skeleton !== '') rows.push({ kind: 'username', value: username.skeleton });
        for (const key of usernameKeys(username.skeleton)) rows.push({ kind: USERNAME_KEY, value: key });
      }
    }
    let photos: string[] = [];
    if (input.photoPdq !== undefined) {
      kinds.push('photo');
      photos = [
        ...new Set(
          input.photoPdq.map((h, i) =>
            field(`photoPdq.${i}`, () => {
              if (!/^[0-9a-fA-F]{64}$/.test(h)) throw new IdentifierError('must be a PDQ hash: 64 hex characters');
              return h.toLowerCase();
            }),
          ),
        ),
      ];
      for (const p of photos) rows.push({ kind: 'photo', value: p });
    }
    return { kinds, rows, username, photos };
  }

  /**
   * Links from these identifiers to other accounts: indexed lookups for the exact kinds and username
   * keys, a comparison with banned accounts' photos. bannedFor null: any account (case view).
   */
  private async findLinks(
    tenantId: string,
    userId: string,
    prepared: PreparedIdentifiers,
    bannedFor: readonly string[] | null,
  ): Promise<Found[]> {
    const filter = bannedFor ? { bannedFor } : {};
    const exact = prepared.rows.filter((r) => (EXACT_KINDS as readonly string[]).includes(r.kind));
    // Independent lookups, run together (on PostgreSQL each is a round trip).
    const [exactMatches, usernames, photos] = await Promise.all([
      exact.length > 0
        ? this.storage.findAccountsByIdentifiers(tenantId, exact, {
            ...filter,
            excludeUserId: userId,
            limit: MAX_CANDIDATES,
          })
        : [],
      prepared.username ? this.usernameLinks(tenantId, userId, prepared.username, filter) : [],
      prepared.photos.length > 0 ? this.photoLinks(tenantId, userId, prepared.photos, bannedFor) : [],
    ]);
    return [
      ...exactMatches.map((m): Found => ({ userId: m.userId, kind: m.kind as ExactKind, strength: 1, detail: null })),
      ...usernames,
      ...photos,
    ];
  }

  private async usernameLinks(
    tenantId: string,
    userId: string,
    name: UsernameForms,
    filter: { bannedFor?: readonly string[] },
  ): Promise<Found[]> {
    // A skeleton many accounts share (a popular first name) says little about who is behind one of them.
    const counts = new Map<string, Promise<boolean>>();
    const common = (skeleton: string) => {
      let known = counts.get(skeleton);
      if (!known) {
        const cap = this.policy.username.commonAt;
        known = this.storage
          .countAccountsWithIdentifier(tenantId, 'username', skeleton, cap, userId)
          .then((n) => n >= cap);
        counts.set(skeleton, known);
      }
      return known;
    };
    // A common name of its own is only compared whole; otherwise its similar names are found by key.
    const probes: AccountIdentifier[] = [{ kind: USERNAME_FULL, value: name.full }];
    if (name.skeleton !== '' && !(await common(name.skeleton))) {
      probes.push({ kind: 'username', value: name.skeleton });
      for (const key of usernameKeys(name.skeleton)) probes.push({ kind: USERNAME_KEY, value: key });
    }
    const candidates = await this.storage.findAccountsByIdentifiers(tenantId, probes, {
      ...filter,
      excludeUserId: userId,
      limit: MAX_CANDIDATES,
    });
    const ids = [...new Set(candidates.map((c) => c.userId))].slice(0, MAX_USERNAME_CANDIDATES);
    const compared = await Promise.all(
      ids.map(async (id): Promise<Found | null> => {
        const theirs = storedUsername(await this.storage.accountIdentifiers(tenantId, id));
        const link = theirs && compareUsernames(name, theirs, this.policy.username);
        if (!theirs || !link) return null;
        if (link.how !== 'same_name' && ((await common(name.skeleton)) || (await common(theirs.skeleton)))) return null;
        return { userId: id, kind: 'username', strength: link.similarity, detail: { username: link } };
      }),
    );
    return compared.filter((f): f is Found => f !== null);
  }

  private async photoLinks(
    tenantId: string,
    userId: string,
    photos: string[],
    bannedFor: readonly string[] | null,
  ): Promise<Found[]> {
    // Near-duplicates cannot be looked up by value, so the new photos are compared with the photos of
    // banned accounts (few next to all accounts). For the case view (bannedFor null) identical photos of
    // any account are found through the index as well.
    const reasons = bannedFor ?? this.policy.childSafetyReasons;
    const banned: IdentifierMatch[] = await this.storage.bannedAccountIdentifiers(
      tenantId,
      'photo',
      reasons,
      MAX_BANNED_PHOTOS,
    );
    if (bannedFor === null) {
      banned.push(
        ...(await this.storage.findAccountsByIdentifiers(
          tenantId,
          photos.map((p) => ({ kind: 'photo', value: p })),
          { limit: MAX_CANDIDATES },
        )),
      );
    }
    const mine = photos.map((p) => hexToHash(p));
    const best = new Map<string, number>();
    for (const b of banned) {
      if (b.userId === userId || !/^[0-9a-f]{64}$/.test(b.value)) continue;
      const theirs = hexToHash(b.value);
      for (const h of mine) {
        const d = hammingDistance(h, theirs);
        if (d <= this.policy.photoMaxDistance && d < (best.get(b.userId) ?? Infinity)) best.set(b.userId, d);
      }
    }
    return [...best].map(([id, distance]) => ({
      userId: id,
      kind: 'photo' as const,
      strength: 1 - distance / 256,
      detail: { photoDistance: distance },
    }));
  }

  /** The ban shown for each account: its most recent active ban (of the given reasons, when given). */
  private async banIndex(
    tenantId: string,
    userIds: string[],
    reasons: readonly string[] | null,
  ): Promise<Map<string, AccountBanRecord>> {
    const out = new Map<string, AccountBanRecord>();
    if (userIds.length === 0) return out;
    for (const ban of await this.storage.accountBans(tenantId, userIds, { activeOnly: true })) {
      if (reasons && !reasons.includes(ban.reason)) continue;
      out.set(ban.userId, ban); // oldest first, so the newest wins
    }
    return out;
  }
}

interface Found {
  userId: string;
  kind: BanLinkKind;
  strength: number;
  detail: { username?: UsernameLink; photoDistance?: number } | null;
}

/** HMAC-SHA-256 of the kind and the normalised value under the tenant's secret, hex. */
export function keyedHash(secret: string, kind: string, normalised: string): string {
  return createHmac('sha256', secret).update(`${kind}\u0000${normalised}`).digest('hex');
}

function storedUsername(ids: AccountIdentifier[]): UsernameForms | null {
  const full = ids.find((i) => i.kind === USERNAME_FULL)?.value;
  if (full === undefined) return null;
  return { full, skeleton: ids.find((i) => i.kind === 'username')?.value ?? '' };
}

function rank(action: 'block' | 'flag'): number {
  return action === 'block' ? 0 : 1;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function day(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** "same device id as banned account u123 (disabled 2026-11-20 for grooming, case c9)". */
function explain(f: Found, ban: AccountBanRecord | null): string {
  const who = ban
    ? `banned account ${f.userId} (disabled ${day(ban.at)} for ${ban.reason.replaceAll('_', ' ')}${ban.caseId ? `, case ${ban.caseId}` : ''})`
    : `account ${f.userId}`;
  if (f.kind === 'username') {
    const link = f.detail?.username;
    const aside = 'digits, separators, look-alike letters and leetspeak set aside';
    if (link?.how === 'same_name') return `same username as ${who}`;
    if (link?.how === 'same_skeleton') return `username matches the username of ${who} (${aside})`;
    return `username ${Math.round((link?.similarity ?? 0) * 100)}% similar to the username of ${who} (${aside})`;
  }
  if (f.kind === 'photo') {
    const d = f.detail?.photoDistance ?? 0;
    return `profile photo ${d === 0 ? 'identical' : 'near-identical'} (PDQ distance ${d} of 256 bits) to the profile photo of ${who}`;
  }
  return `same ${WORDS[f.kind]} as ${who}`;
}
