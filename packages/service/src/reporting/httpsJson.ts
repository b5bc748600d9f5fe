// Sending a prepared report as JSON over HTTPS to an intake the operator configures (a police intake
// for DSA Art. 18 notifications, an adapter in front of the NCA's API): bearer token, the report id as
// Idempotency-Key on every try, and an answer {reference}. Which answers are worth another try, and
// which need a person, is decided here once for every such transport.

export interface HttpsJsonConfig {
  kind: 'https';
  url: string;
  /** Sent as `authorization: Bearer <token>`; the config file names an environment variable instead. */
  token?: string;
  /** Per request (default 30 s). */
  timeoutMs?: number;
}

export type JsonPostOutcome =
  | { kind: 'filed'; reference: string }
  | { kind: 'retry'; error: string }
  | { kind: 'rejected'; error: string };

/** Answers a receiver may give that a later try can get past: auth being fixed, overload, time-outs. */
const RETRYABLE = new Set([401, 403, 408, 425, 429]);
const REFERENCE = /^[A-Za-z0-9][A-Za-z0-9/_.:-]{0,199}$/;

export async function postJson(t: HttpsJsonConfig, reportId: string, body: unknown): Promise<JsonPostOutcome> {
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
