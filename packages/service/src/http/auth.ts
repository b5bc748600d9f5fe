// Every /v1 request needs a valid API key (Authorization: Bearer <key>, or X-Api-Key). The key
// decides the tenant: a request only ever sees its own platform's data. Routes declare the scope they
// need in their config; admin keys have every scope.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKeyRecord, ApiScope, Storage } from '@lifeguard/storage';
import { hashApiKey, hasScope } from '../auth/keys.ts';
import { ApiError } from './errors.ts';

export interface AuthContext {
  tenantId: string;
  keyId: string;
  keyName: string;
  scopes: ApiScope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    auth: AuthContext | null;
  }
  interface FastifyContextConfig {
    /** The scope a route needs. Routes under /v1 without one are refused (fail closed). */
    scope?: ApiScope | 'any';
  }
}

/**
 * Valid keys are cached briefly so a request costs no database read; a revocation through this
 * server takes effect at once, one made elsewhere within `ttlMs`.
 */
export class KeyCache {
  private readonly entries = new Map<string, { record: ApiKeyRecord; expires: number }>();
  constructor(
    private readonly storage: Storage,
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  async lookup(keyHash: string): Promise<ApiKeyRecord | null> {
    const now = Date.now();
    const hit = this.entries.get(keyHash);
    if (hit && hit.expires > now) return hit.record;
    const record = await this.storage.findApiKeyByHash(keyHash);
    if (!record || record.revokedAt !== null) {
      this.entries.delete(keyHash);
      return null;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(keyHash, { record, expires: now + this.ttlMs });
    return record;
  }

  forget(keyId: string): void {
    for (const [hash, entry] of this.entries) if (entry.record.id === keyId) this.entries.delete(hash);
  }
}

function presentedKey(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header === 'string') {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return m ? m[1]! : null;
  }
  const x = request.headers['x-api-key'];
  return typeof x === 'string' && x.trim() ? x.trim() : null;
}

/** Adds authentication and scope checks to every route registered in `app` (the /v1 scope). */
export function installAuth(app: FastifyInstance, cache: KeyCache): void {
  app.decorateRequest('auth', null);
  app.addHook('onRequest', async (request) => {
    const key = presentedKey(request);
    if (!key) {
      throw new ApiError(401, 'unauthorized', 'missing API key: send "Authorization: Bearer <key>"');
    }
    const record = await cache.lookup(hashApiKey(key));
    if (!record) throw new ApiError(401, 'unauthorized', 'invalid or revoked API key');
    request.auth = { tenantId: record.tenantId, keyId: record.id, keyName: record.name, scopes: record.scopes };
    const needed = request.routeOptions.config?.scope;
    if (needed === undefined) throw new ApiError(403, 'forbidden', 'this route declares no scope and is refused');
    if (needed !== 'any' && !hasScope(record.scopes, needed)) {
      throw new ApiError(
        403,
        'forbidden',
        `this API key lacks the "${needed}" scope (it has: ${record.scopes.join(', ')})`,
      );
    }
  });
}

/** The authenticated context; routes under /v1 always have one. */
export function auth(request: FastifyRequest): AuthContext {
  if (!request.auth) throw new ApiError(401, 'unauthorized', 'not authenticated');
  return request.auth;
}
