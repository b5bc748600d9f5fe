// How a DSA Art. 18 notification reaches the police. No EU-wide police API exists: each Member State
// names its own channel. Two transports: `https` posts the notification as JSON to an intake the
// operator configures (a national police intake, or the platform's own escalation relay), and `export`
// writes a file for someone to send through the channel the police gave, then enter the reference.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorityReportRecord } from '@lifeguard/storage';
import type { PoliceTarget, ThreatNotification } from './notification.ts';
import { postJson, type HttpsJsonConfig, type JsonPostOutcome } from '../httpsJson.ts';

export type PoliceTransportConfig = HttpsJsonConfig | { kind: 'export'; dir: string };

export interface PoliceRecipientConfig {
  /** The authority's name as the notification states it, e.g. "Bundeskriminalamt". */
  name: string;
  transport: PoliceTransportConfig;
}

export type PoliceOutcome = JsonPostOutcome | { kind: 'exported'; location: string };

export class PoliceTransports {
  constructor(private readonly recipients: Partial<Record<PoliceTarget, PoliceRecipientConfig>>) {}

  async send(report: AuthorityReportRecord): Promise<PoliceOutcome> {
    const body = report.body as ThreatNotification;
    const recipient = this.recipients[body.recipient.target];
    if (!recipient)
      return {
        kind: 'rejected',
        error: `reporting.dsa.recipients.${body.recipient.target}: no police recipient is configured for ${body.recipient.target}`,
      };
    const t = recipient.transport;
    if (t.kind === 'export') {
      mkdirSync(t.dir, { recursive: true, mode: 0o700 });
      const location = join(t.dir, `dsa18-${report.id}.json`);
      writeFileSync(location, `${JSON.stringify(body, null, 2)}\n`, { mode: 0o600 });
      chmodSync(location, 0o600);
      return { kind: 'exported', location };
    }
    return postJson(t, report.id, body);
  }
}
