// What the route plugins share: the store and the long-lived parts built on it.
import type { Storage } from '@lifeguard/storage';
import type { EngineHost } from './engine/engineHost.ts';
import type { IngestPipeline } from './ingest/pipeline.ts';
import type { CaseManager } from './cases/caseManager.ts';
import type { Decider } from './decisions/decider.ts';
import type { WebhookWorker } from './webhooks/worker.ts';
import type { Policy } from './policy/policy.ts';
import type { KeyCache } from './http/auth.ts';
import type { RetentionJob } from './retention.ts';
import type { BanEvasion } from './banEvasion/banEvasion.ts';
import type { FamilyCentre } from './family/familyCentre.ts';
import type { PageTokens } from './family/tokens.ts';
import type { Reporting } from './reporting/reporting.ts';

export interface ServiceContext {
  storage: Storage;
  engines: EngineHost;
  pipeline: IngestPipeline;
  cases: CaseManager;
  decider: Decider;
  webhooks: WebhookWorker;
  retention: RetentionJob;
  policy: Policy;
  keyCache: KeyCache;
  /** Sign-up checks against accounts disabled for child safety; bans and linked accounts. */
  banEvasion: BanEvasion;
  /** Parent-teen links and their metadata-only view (family-centre). */
  family: FamilyCentre;
  /** Signed URLs for the embeddable Family Centre page. */
  pageTokens: PageTokens;
  /** Reports to the authorities and preserved evidence. */
  reporting: Reporting;
  limits: {
    maxBatchEvents: number;
    /** Events dated further than this in the future are rejected (they would win every last-writer-wins merge). */
    maxFutureSkewMs: number;
  };
}
