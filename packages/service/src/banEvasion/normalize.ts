// Normalising the identifiers a returning offender changes least: the same mailbox written another
// way, the same phone number in another format, the same username with digits, look-alike letters or
// leetspeak. Pure functions; the service hashes the results of the exact kinds before storing them.
//
// Usernames get their own small folding instead of the core's message normaliser: that one splits
// letters from digits and maps chat words ("u" -> "you"), which turns "gr00mer_99" into four tokens.
// The look-alike letters are the core's own table.

import { LATIN_LOOKALIKES } from '@lifeguard/core';

/** Why an identifier could not be normalised; the route turns it into a 400 naming the field. */
export class IdentifierError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IdentifierError';
  }
}

// Providers where dots in the local part are ignored, so "a.b@gmail.com" is the mailbox "ab@gmail.com".
const DOTLESS_DOMAINS = new Set(['gmail.com']);
const DOMAIN_ALIASES = new Map([['googlemail.com', 'gmail.com']]);

/**
 * Lower case, no surrounding space, no "+tag" (sub-addressing, supported by most large providers),
 * googlemail.com as gmail.com, and no dots in a Gmail local part.
 */
export function normaliseEmail(raw: string): string {
  const email = raw.trim().toLowerCase();
  const at = email.lastIndexOf('@');
  if (at <= 0 || at === email.length - 1 || /\s/.test(email))
    throw new IdentifierError('must be an email address (name@domain)');
  let local = email.slice(0, at);
  let domain = email.slice(at + 1).replace(/\.$/, '');
  if (!/^[^@]+\.[^@.]+$/.test(domain)) throw new IdentifierError('must be an email address (name@domain)');
  domain = DOMAIN_ALIASES.get(domain) ?? domain;
  const plus = local.indexOf('+');
  if (plus > 0) local = local.slice(0, plus);
  if (DOTLESS_DOMAINS.has(domain)) local = local.replaceAll('.', '');
  if (local === '') throw new IdentifierError('must be an email address (name@domain)');
  return `${local}@${domain}`;
}

/**
 * International digits with a leading '+': "+44 7700 900123", "0044 7700-900123" and, with default
 * calling code 44, "07700 900123" all become "+447700900123". A national number without a default
 * calling code keeps its national form ("07700900123"), which still matches the same national form.
 */
export function normalisePhone(raw: string, defaultCallingCode: string | null): string {
  // "+44 (0)7700 ...": the bracketed trunk zero is not dialled from abroad.
  const text = raw.trim().replace(/\(0\)/g, '');
  if (!/^[+\d\s().\-/]+$/.test(text))
    throw new IdentifierError('must be a phone number (digits, spaces, + ( ) . - only)');
  const international = text.startsWith('+') || /^00/.test(text.replace(/\D/g, ''));
  let digits = text.replace(/\D/g, '');
  if (text.startsWith('+')) {
    // already international
  } else if (international) {
    digits = digits.slice(2);
  } else if (defaultCallingCode !== null) {
    if (digits.length < 6) throw new IdentifierError('must have 7 to 15 digits');
    digits = defaultCallingCode + digits.replace(/^0/, ''); // the national trunk prefix goes
  }
  if (digits.length < 7 || digits.length > 15) throw new IdentifierError('must have 7 to 15 digits');
  return international || defaultCallingCode !== null ? `+${digits}` : digits;
}

/** Opaque platform-made values (device ids, fingerprints): only surrounding space; UUIDs in lower case. */
export function normaliseOpaque(raw: string): string {
  const value = raw.trim();
  if (value === '') throw new IdentifierError('must not be blank');
  return /^[0-9a-fA-F-]+$/.test(value) ? value.toLowerCase() : value;
}

// Digits and symbols standing for letters inside a name ("gr00m3r").
const LEET = new Map(
  Object.entries({
    '0': 'o',
    '1': 'i',
    '3': 'e',
    '4': 'a',
    '5': 's',
    '7': 't',
    '8': 'b',
    '@': 'a',
    $: 's',
    '!': 'i',
    '|': 'l',
  }),
);
const SEPARATORS = /[\s._\-~*^=+'`"#:,;/\\()[\]{}<>?&%]/;

/** Lower case ASCII where possible: compatibility forms (fullwidth, script, circled), accents and look-alikes folded. */
function foldLetters(raw: string): string {
  let out = '';
  for (const ch of raw.normalize('NFKC').toLowerCase()) {
    const look = LATIN_LOOKALIKES.get(ch);
    if (look !== undefined) {
      out += look;
      continue;
    }
    const plain = ch.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
    out += plain;
  }
  // Zero-width characters and other invisible format characters carry nothing.
  return out.replace(/[\u200b-\u200f\u2060\ufeff\u00ad]|\u034f/g, '');
}

export interface UsernameForms {
  /** Folded letters with digits kept and separators removed: "Alex_2009" -> "alex2009". */
  full: string;
  /**
   * The skeleton compared for similarity: digits and separators at the ends removed, leetspeak read as
   * letters, runs of one letter squeezed to one: "xX_Gr00mer_99" -> "xgromerx" ... -> see tests.
   */
  skeleton: string;
}

export function usernameForms(raw: string): UsernameForms {
  const folded = foldLetters(raw.trim());
  const chars = [...folded];
  const full = chars.filter((c) => !SEPARATORS.test(c)).join('');
  // Ends: separators and digits go ("alex2009", "_alex_", "2009_alex"). A digit glued to letters at the
  // start stays: "4lex" is leetspeak for "alex".
  let text = folded.replace(/[\s\p{P}\p{S}\d]+$/u, '').replace(/^[\s\p{P}\p{S}]+/u, '');
  text = text.replace(/^\d+[\s\p{P}\p{S}]+/u, '').replace(/^[\s\p{P}\p{S}]+/u, '');
  let skeleton = '';
  for (const c of text) {
    const letter = LEET.get(c) ?? c;
    if (/^[a-z]$/.test(letter) || (/^\p{L}$/u.test(letter) && !SEPARATORS.test(letter))) skeleton += letter;
  }
  skeleton = skeleton.replace(/(.)\1+/gu, '$1');
  return { full, skeleton };
}

/** Skeletons shorter than this get no deletion keys (no fuzzy matching at all). */
export const USERNAME_KEY_MIN_LENGTH = 4;
/** Longer skeletons are cut here before keys are made, bounding the keys per name. */
export const USERNAME_KEY_MAX_LENGTH = 32;

/**
 * Lookup keys for finding similar names through an index instead of a scan: the skeleton and every
 * way of deleting one character from it. Two skeletons within one edit (insert, delete, replace, or
 * swap of neighbours) always share a key; the exact similarity is then computed on the few candidates.
 */
export function usernameKeys(skeleton: string): string[] {
  const s = [...skeleton].slice(0, USERNAME_KEY_MAX_LENGTH);
  if (s.length < USERNAME_KEY_MIN_LENGTH) return [];
  const keys = new Set([s.join('')]);
  for (let i = 0; i < s.length; i++) keys.add([...s.slice(0, i), ...s.slice(i + 1)].join(''));
  return [...keys];
}

/** Edit distance counting insertions, deletions, substitutions and swaps of neighbours (optimal string alignment). */
export function editDistance(a: string, b: string): number {
  const x = [...a];
  const y = [...b];
  const rows: number[][] = [];
  for (let i = 0; i <= x.length; i++)
    rows.push(Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= x.length; i++) {
    for (let j = 1; j <= y.length; j++) {
      const cost = x[i - 1] === y[j - 1] ? 0 : 1;
      let d = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && x[i - 1] === y[j - 2] && x[i - 2] === y[j - 1]) d = Math.min(d, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = d;
    }
  }
  return rows[x.length]![y.length]!;
}

/** 1 for equal skeletons, falling with the edit distance relative to the longer one. */
export function skeletonSimilarity(a: string, b: string): number {
  const longest = Math.max([...a].length, [...b].length);
  if (longest === 0) return 0;
  return 1 - editDistance(a, b) / longest;
}

export interface UsernameRule {
  /** Skeletons shorter than this link only when the whole folded name is the same. */
  minLength: number;
  /** Fuzzy (not identical) skeletons link only from this length. */
  fuzzyMinLength: number;
  /** Lowest similarity (0..1) of two fuzzy skeletons that links them. */
  minSimilarity: number;
}

export type UsernameLink = { how: 'same_name' | 'same_skeleton' | 'similar'; similarity: number };

/** Whether two usernames link, and how; null when they do not. */
export function compareUsernames(a: UsernameForms, b: UsernameForms, rule: UsernameRule): UsernameLink | null {
  if (a.full !== '' && a.full === b.full) return { how: 'same_name', similarity: 1 };
  const shorter = Math.min([...a.skeleton].length, [...b.skeleton].length);
  if (shorter < rule.minLength) return null;
  if (a.skeleton === b.skeleton) return { how: 'same_skeleton', similarity: 1 };
  if (shorter < rule.fuzzyMinLength) return null;
  const similarity = skeletonSimilarity(a.skeleton, b.skeleton);
  return similarity >= rule.minSimilarity ? { how: 'similar', similarity } : null;
}
