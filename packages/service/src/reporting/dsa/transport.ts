// How a DSA Art. 18 notification reaches the police. No EU-wide police API exists: each Member State
// names its own channel. Two transports: `https` posts the notification as JSON to an intake the
// operator configures (a national police intake, or the platform's own escalation relay), and `export`
// writes a file for someone to send through the channel the police gave, then enter the reference.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AuthorityReportRecord } from '@lifeguard/storage';
import type { PoliceTarget, ThreatNotification } from './notification.ts';

export type PoliceTransportConfig =
  | {
      kind: 'https';
      url: string;
      /** Sent as `authorization: Bearer <token>`; the config file names an environment variable instead. */
      token?: string;
      /** Per request (default 30 s). */
      timeoutMs?: number;
    }
  | { kind: 'export'; dir: string };

export interface PoliceRecipientConfig {
  /** The authority's name as the notification states it, e.g. "Bundeskriminalamt". */
  name: string;
  transport: PoliceTransportConfig;
}

export type PoliceOutcome =
  | { kind: 'filed'; reference: string }
  | { kind: 'exported'; location: string }
  | { kind: 'retry'; error: string }
  | { kind: 'rejected'; error: string };

/** Answers a receiver may give that a later try can get past: auth being fixed, overload, time-outs. */
const RETRYABLE = new Set([401, 403, 408, 425, 429]);
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9/_.:-]{0,199}$/;

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
    return postNotification(t, report.id, body);
  }
}

async function postNotification(
  t: Extract<PoliceTransportConfig, { kind: 'https' }>,
  reportId: string,
  body: ThreatNotification,
): Promise<PoliceOutcome> {
  let res: Response;
  try {
    res = await fetch(t.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        // The same key on every try: a receiver that keeps it never records one notification twice.
        'idempotency-key': reportId,
        ...(t.token ? { authorization: `Bearer ${t.token}` } : {}),
      },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(t.timeoutMs ?? 30_000),
    });
  } catch (err) {
    const cause = (err as Error & { cause?: Error }).cause;
    return { kind: 'retry', error: `no answer from ${t.url} (${cause?.message ?? (err as Error).message})` };
  }
  const text = await res.text().catch(() => '');
  let answer: { reference?: unknown; error?: unknown } = {};
  try {
    answer = text ? (JSON.parse(text) as typeof answer) : {};
  } catch {
    answer = {};
  }
  const said = typeof answer.error === 'string' ? `: ${answer.error.slice(0, 500)}` : '';
  if (res.ok) {
    if (typeof answer.reference === 'string' && REFERENCE.test(answer.reference))
      return { kind: 'filed', reference: answer.reference };
    return { kind: 'retry', error: `HTTP ${res.status} from ${t.url} without a usable reference` };
  }
  if (res.status >= 500 || RETRYABLE.has(res.status))
    return { kind: 'retry', error: `HTTP ${res.status} from ${t.url}${said}` };
  return { kind: 'rejected', error: `HTTP ${res.status} from ${t.url}${said}` };
}
