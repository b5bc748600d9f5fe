// The deployment's evidence key: Ed25519, one private key per deployment (a PEM file kept with the
// database), used to sign every frozen evidence package. Earlier keys' public halves stay listed so
// packages signed before a key rotation still verify.
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  verify,
  type KeyObject,
} from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface EvidenceKeyConfig {
  /** PKCS#8 PEM of the Ed25519 private key. */
  privateKeyPem: string;
  /** SPKI PEMs of retired keys whose signatures must still verify. */
  previousPublicKeys?: string[];
}

/** The first 16 hex characters of the SHA-256 of the public key (DER): names the key in every package. */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256')
    .update(publicKey.export({ type: 'spki', format: 'der' }))
    .digest('hex')
    .slice(0, 16);
}

/** What a signature covers: the tenant and case as well as the digest, so a package cannot be moved to another case. */
function signedBytes(tenantId: string, caseId: string, digest: string): Buffer {
  return Buffer.from(`lifeguard-evidence/1\n${tenantId}\n${caseId}\n${digest}`, 'utf8');
}

export class EvidenceSigner {
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicKeys = new Map<string, KeyObject>();

  constructor(config: EvidenceKeyConfig) {
    this.privateKey = createPrivateKey(config.privateKeyPem);
    if (this.privateKey.asymmetricKeyType !== 'ed25519')
      throw new Error(`the evidence key must be an Ed25519 key (got ${this.privateKey.asymmetricKeyType})`);
    const pub = createPublicKey(this.privateKey);
    this.keyId = keyIdOf(pub);
    this.publicKeys.set(this.keyId, pub);
    for (const pem of config.previousPublicKeys ?? []) {
      const k = createPublicKey(pem);
      this.publicKeys.set(keyIdOf(k), k);
    }
  }

  static generate(): EvidenceSigner {
    const { privateKey } = generateKeyPairSync('ed25519');
    return new EvidenceSigner({ privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() });
  }

  sign(tenantId: string, caseId: string, digest: string): string {
    return sign(null, signedBytes(tenantId, caseId, digest), this.privateKey).toString('base64');
  }

  /** 'unknown_key' when the package names a key this deployment does not list. */
  check(
    keyId: string,
    tenantId: string,
    caseId: string,
    digest: string,
    signature: string,
  ): 'ok' | 'bad_signature' | 'unknown_key' {
    const key = this.publicKeys.get(keyId);
    if (!key) return 'unknown_key';
    return verify(null, signedBytes(tenantId, caseId, digest), key, Buffer.from(signature, 'base64'))
      ? 'ok'
      : 'bad_signature';
  }

  /** Public keys by id, PEM: goes into exports so a recipient can check signatures themselves. */
  publicKeyPems(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [id, k] of this.publicKeys) out[id] = k.export({ type: 'spki', format: 'pem' }).toString();
    return out;
  }
}

/** Reads the key file, creating it (mode 0600) with a new key when it does not exist yet. */
export function loadOrCreateKeyFile(path: string): EvidenceKeyConfig {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const { privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(path, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), { mode: 0o600, flag: 'wx' });
  }
  return { privateKeyPem: readFileSync(path, 'utf8') };
}
