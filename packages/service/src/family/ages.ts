// What Family Centre needs to know about an account's age, from what the platform declared (account
// events) under the account's own jurisdiction. Links need a declared age: a guess is not enough to
// give one account a view of another.
import type { AccountRecord } from '@lifeguard/storage';
import { profileFor, type Policy, type ResolvedProfile } from '../policy/policy.ts';

export type AgeClass = 'child' | 'adult' | 'unknown';

const BAND_MIN: Record<string, number> = { under13: 0, '13-15': 13, '16-17': 16, adult: 18 };
const BAND_MAX: Record<string, number> = { under13: 12, '13-15': 15, '16-17': 17, adult: 200 };

export interface AgeFacts {
  cls: AgeClass;
  /** Youngest age the declaration allows (the exact age when declared). */
  minAge: number | null;
  maxAge: number | null;
  resolved: ResolvedProfile;
}

export function ageFacts(policy: Policy, account: AccountRecord | null | undefined): AgeFacts {
  const resolved = profileFor(policy, account?.country);
  const under = resolved.profile.childUnder;
  let minAge: number | null = null;
  let maxAge: number | null = null;
  if (account?.age != null) minAge = maxAge = account.age;
  else if (account?.ageBand && account.ageBand in BAND_MIN) {
    minAge = BAND_MIN[account.ageBand]!;
    maxAge = BAND_MAX[account.ageBand]!;
  }
  // A band that straddles the limit counts as a child (the cautious side).
  const cls: AgeClass = minAge === null || maxAge === null ? 'unknown' : minAge < under ? 'child' : 'adult';
  return { cls, minAge, maxAge, resolved };
}
