// The whole storage contract: one suite per role of Storage (src/types.ts), each on a fresh store.
// Both stores run it (sqlite.test.ts, postgres.test.ts).
import { accountsContract } from './accounts.ts';
import { auditLogContract } from './auditLog.ts';
import { banEvasionContract } from './banEvasion.ts';
import { banksContract } from './banks.ts';
import { casesContract } from './cases.ts';
import { eventsContract } from './events.ts';
import { familyContract } from './family.ts';
import type { StoreFixture } from './fixtures.ts';
import { reportingContract } from './reporting.ts';
import { retentionContract } from './retention.ts';
import { reviewQueueContract } from './reviewQueue.ts';
import { snapshotsContract } from './snapshots.ts';
import { staffContract } from './staff.ts';
import { tenantsContract } from './tenants.ts';
import { webhooksContract } from './webhooks.ts';

export type { StoreFixture } from './fixtures.ts';

export const ROLE_CONTRACTS = [
  tenantsContract,
  eventsContract,
  accountsContract,
  casesContract,
  webhooksContract,
  snapshotsContract,
  retentionContract,
  banksContract,
  staffContract,
  reviewQueueContract,
  auditLogContract,
  banEvasionContract,
  familyContract,
  reportingContract,
] as const;

/** Runs every role's contract suite against stores opened by `open` (each suite opens its own). */
export function storageContract(name: string, open: () => Promise<StoreFixture>, skip?: string): void {
  for (const contract of ROLE_CONTRACTS) contract(name, open, skip);
}
