// Reporting configuration: who the platform is, where it is established, credentials and registration.
// Everything here comes from the operator (never from a request); docs/reporting.md lists each field.
import type { Authority } from '@lifeguard/storage';
import type { EvidenceKeyConfig } from './signingKey.ts';
import type { NcmecConfig } from './ncmec/client.ts';
import type { ReporterConfig } from './ncmec/xml.ts';
import type { NcaConfig } from './nca.ts';
import type { MemberState, PoliceTarget } from './dsa/notification.ts';
import type { PoliceRecipientConfig } from './dsa/transport.ts';

/** DSA Art. 18 notifications to the police (docs/reporting.md). */
export interface DsaConfig {
  provider: {
    name: string;
    service: string;
    /** The Member State of the provider's main establishment. */
    establishedIn: MemberState;
    /** Where the legal representative is, for a provider established outside the EU (Art. 13). */
    legalRepresentativeIn?: MemberState;
    contactName: string;
    contactEmail: string;
    contactPhone?: string;
  };
  /** Who receives notifications for each Member State, and Europol (`EUROPOL`). */
  recipients: Partial<Record<PoliceTarget, PoliceRecipientConfig>>;
  /** Clock targets in minutes: imminent threats at once (0), others within an hour (60): "promptly". */
  targetMinutes?: { imminent: number; other: number };
}

export interface ReportingConfig {
  /** The deployment's signing key; without one an ephemeral key is made (tests; packages then verify only in this process). */
  evidenceKey?: EvidenceKeyConfig;
  reporter?: ReporterConfig;
  /** NCMEC CyberTipline credentials; without them NCMEC reports are refused before anything is stored. */
  ncmec?: NcmecConfig;
  /** NCA registration (SI 2026/268 reg 4) and the transport; without it NCA reports are refused. */
  nca?: NcaConfig;
  /** EU DSA Art. 18: notifying the police of a threat to a person's life or safety; without it such notifications are refused. */
  dsa?: DsaConfig;
  /** Countries where the platform is established or offers its service: their authorities always apply. Default ['US']. */
  platformCountries?: string[];
  /** Country -> authorities. Default: US -> NCMEC, GB -> NCA. */
  jurisdictions?: Record<string, Authority[]>;
  /**
   * When a case goes to NCMEC as well, the NCA report is recorded as covered (OSA s.70(5)) unless this is
   * 'file'. Priority 1 always goes to the NCA as well: an immediate threat needs UK police at once.
   */
  ncaWhenReportedToNcmec?: 'covered' | 'file';
  /** Lifeguard's own target per priority, in hours (default 1: 0, 2: 24, 3: 72); the law sets no hour counts. */
  priorityTargetHours?: Record<1 | 2 | 3, number>;
  worker?: ReportWorkerOptions;
}

export interface ReportWorkerOptions {
  /** How often due reports are looked for (default 5 s). 0: only when asked (tests). */
  intervalMs?: number;
  /** A claimed report is left to its worker this long (default 5 minutes). */
  leaseMs?: number;
  /** Retries stop this long after the report was prepared (default 30 days); it is then 'expired'. */
  retryForMs?: number;
  /** First retry after this (default 1 minute), doubling up to maxBackoffMs (default 6 hours). */
  baseBackoffMs?: number;
  maxBackoffMs?: number;
}

export const DEFAULT_JURISDICTIONS: Record<string, Authority[]> = { US: ['ncmec'], GB: ['nca'] };
export const DEFAULT_PRIORITY_TARGET_HOURS: Record<1 | 2 | 3, number> = { 1: 0, 2: 24, 3: 72 };
