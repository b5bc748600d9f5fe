// Short-lived signed tokens for the embeddable Family Centre page: the platform's server asks for one
// with its API key and puts the page URL in its app; the page never sees the API key. HMAC-SHA256 with a
// key derived from the tenant's stored secret, so every process of the service can check any token.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Storage } from '@lifeguard/storage';
import { ApiError } from '../http/errors.ts';

export interface PageClaims {
  tenantId: string;
  linkId: string;
  viewerId: string;
  /** Theme variables (already validated). */
  theme: Record<string, string>;
  exp: number;
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export class PageTokens {
  private readonly keys = new Map<string, Buffer>();
  constructor(private readonly storage: Storage) {}

  private async key(tenantId: string): Promise<Buffer> {
    let key = this.keys.get(tenantId);
    if (!key) {
      const secret = await this.storage.identifierSecret(tenantId, randomBytes(32).toString('hex'));
      key = createHmac('sha256', secret).update('lifeguard family-centre page token v1').digest();
      this.keys.set(tenantId, key);
    }
    return key;
  }

  async sign(claims: PageClaims): Promise<string> {
    const body = b64(JSON.stringify(claims));
    const mac = createHmac('sha256', await this.key(claims.tenantId))
      .update(body)
      .digest();
    return `${body}.${b64(mac)}`;
  }

  /** The claims, or a 401 naming what is wrong (malformed, bad signature, expired). */
  async verify(token: unknown, now: number): Promise<PageClaims> {
    const bad = (why: string) =>
      new ApiError(401, 'unauthorized', `page token ${why}; ask the app for a new page link`);
    if (typeof token !== 'string' || token.length > 4096 || !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(token))
      throw bad('is missing or malformed');
    const [body, mac] = token.split('.') as [string, string];
    let claims: PageClaims;
    try {
      claims = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as PageClaims;
    } catch {
      throw bad('is malformed');
    }
    if (
      typeof claims?.tenantId !== 'string' ||
      typeof claims.linkId !== 'string' ||
      typeof claims.viewerId !== 'string' ||
      typeof claims.exp !== 'number'
    )
      throw bad('is malformed');
    // A forged token must not make us store a secret for a tenant that does not exist.
    if (!this.keys.has(claims.tenantId) && !(await this.storage.getTenant(claims.tenantId)))
      throw bad('has a bad signature');
    const expected = createHmac('sha256', await this.key(claims.tenantId))
      .update(body)
      .digest();
    const given = Buffer.from(mac, 'base64url');
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad('has a bad signature');
    if (claims.exp <= now) throw bad('has expired');
    return claims;
  }
}
