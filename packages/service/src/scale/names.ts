// Where partitioned detection keeps things in NATS: subjects, streams, buckets. One namespace (default
// "lg") prefixes them all, so tests and several deployments can share a server without meeting.
import type { LifeguardEvent } from '@lifeguard/core';

export interface ScaleNames {
  /** Stream of partitioned events: <ns>part.<tenant>.<partition>. */
  partStream: string;
  partSubject(tenant: string, partition: number): string;
  /** Stream of per-partition results for the account stage: <ns>res.<tenant>.<partition>. */
  resultStream: string;
  resultSubject(tenant: string, partition: number): string;
  resultSubjects(tenant: string): string;
  /** Invalid or oversized events, with their problems. */
  rejectedSubject(tenant: string): string;
  /** KV bucket of leases (owner, epoch, expiry). */
  leaseBucket: string;
  /** KV bucket of snapshot pointers (compare-and-set, the snapshots' fence). */
  snapshotPointerBucket: string;
  /** Object store of snapshots. */
  snapshotStore: string;
  /** KV bucket of the tenant's read model: current actor risk, one key per account. */
  riskBucket(tenant: string): string;
  /** KV bucket of live workers (rebalancing). */
  workerBucket: string;
}

const TENANT = /^[A-Za-z0-9_-]{1,64}$/;

/** Tenants appear in subjects and bucket names, so they are restricted to a safe alphabet. */
export function checkTenant(tenant: string): string {
  if (!TENANT.test(tenant))
    throw new Error(`tenant "${tenant}" cannot be partitioned: use 1-64 letters, digits, "-" or "_"`);
  return tenant;
}

export function scaleNames(namespace = 'lg'): ScaleNames {
  if (!/^[A-Za-z0-9]{1,16}$/.test(namespace))
    throw new Error(`namespace "${namespace}" must be 1-16 letters or digits`);
  const up = namespace.toUpperCase();
  return {
    partStream: `${up}_PARTS`,
    partSubject: (t, p) => `${namespace}part.${t}.${p}`,
    resultStream: `${up}_RESULTS`,
    resultSubject: (t, p) => `${namespace}res.${t}.${p}`,
    resultSubjects: (t) => `${namespace}res.${t}.*`,
    rejectedSubject: (t) => `${namespace}rejected.${t}`,
    leaseBucket: `${up}_LEASES`,
    snapshotPointerBucket: `${up}_SNAPPTR`,
    snapshotStore: `${up}_SNAPSHOTS`,
    riskBucket: (t) => `${up}_RISK_${t}`,
    workerBucket: `${up}_WORKERS`,
  };
}

/** FNV-1a over the UTF-16 units: stable across processes and versions, cheap, spreads ids evenly. */
export function partitionOf(key: string, partitions: number): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % partitions;
}

/**
 * The partitions an event goes to. A message goes to its conversation's partition. Account and contact
 * events describe an account, whose facts every partition needs to score its conversations (age,
 * friend requests, blocks, reports), so they go to all partitions.
 */
export function partitionsFor(event: LifeguardEvent, partitions: number): number[] {
  if (event.type === 'message') return [partitionOf(event.conversationId, partitions)];
  return Array.from({ length: partitions }, (_, i) => i);
}

/** KV keys allow [-/_=.A-Za-z0-9]; other account ids (and any with a dot) are written as "b64." + base64url. */
export function riskKey(accountId: string): string {
  return /^[-_=A-Za-z0-9]+$/.test(accountId) ? accountId : `b64.${Buffer.from(accountId).toString('base64url')}`;
}

/** A conversation's report in the read model: "c." + its key (raw account keys hold no dot, encoded ones start "b64."). */
export function conversationRiskKey(conversationId: string): string {
  return `c.${riskKey(conversationId)}`;
}

export function accountOfRiskKey(key: string): string {
  return key.startsWith('b64.') ? Buffer.from(key.slice(4), 'base64url').toString() : key;
}
