// API keys: 256 random bits, shown once, stored as a SHA-256 hash.
//
// Why a plain SHA-256 and not bcrypt/argon2: slow hashes protect low-entropy secrets (passwords) from
// guessing after a database leak. A key with 256 random bits cannot be guessed whatever the hash speed,
// so a fast hash loses nothing, and it lets every request find its key with one indexed lookup
// (a salted slow hash would need a key id in the token and ~100 ms of CPU per request).
import { createHash, randomBytes } from 'node:crypto';
import { API_SCOPES, type ApiKeyRecord, type ApiScope, type Storage } from '@lifeguard/storage';

const KEY_PREFIX = 'lg_';

export function generateApiKey(): string {
  return KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** Enough of the key to recognise it in a list, far too little to use it. */
export function keyDisplayPrefix(key: string): string {
  return key.slice(0, KEY_PREFIX.length + 6);
}

export function parseScopes(text: string): ApiScope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const bad = scopes.filter((s) => !(API_SCOPES as readonly string[]).includes(s));
  if (bad.length)
    throw new Error(
      `unknown scope ${bad.map((b) => JSON.stringify(b)).join(', ')}; scopes are ${API_SCOPES.join(', ')}`,
    );
  if (scopes.length === 0) throw new Error(`no scopes given; scopes are ${API_SCOPES.join(', ')}`);
  return [...new Set(scopes)] as ApiScope[];
}

export interface CreatedKey {
  key: string;
  record: ApiKeyRecord;
}

/** Creates a key (and its tenant if new). The returned key is the only copy. */
export async function createKey(
  storage: Storage,
  tenantId: string,
  name: string,
  scopes: ApiScope[],
  tenantName?: string,
): Promise<CreatedKey> {
  if (!(await storage.getTenant(tenantId))) await storage.createTenant(tenantId, tenantName ?? tenantId);
  const key = generateApiKey();
  const record = await storage.createApiKey({
    tenantId,
    name,
    prefix: keyDisplayPrefix(key),
    keyHash: hashApiKey(key),
    scopes,
  });
  return { key, record };
}

export function hasScope(scopes: readonly ApiScope[], needed: ApiScope): boolean {
  return scopes.includes('admin') || scopes.includes(needed);
}
