// Webhook delivery: an outbox table drained by this worker. Each delivery is signed with HMAC-SHA256
// over "<timestamp>.<body>" and retried with exponential back-off and jitter until it succeeds or runs
// out of attempts ("dead"); failing and dead deliveries are listed by GET /v1/webhooks/deliveries.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP } from 'node:net';
import type { ClaimedDelivery, Storage } from '@lifeguard/storage';
import { BlockedDestinationError, DestinationPolicy, hostOf } from './destination.ts';

export const SIGNATURE_HEADER = 'lifeguard-signature';

/** `t=<unix seconds>,v1=<hex hmac>`; the receiver recomputes the HMAC over `${t}.${rawBody}`. */
export function signPayload(secret: string, body: string, timestampSeconds: number): string {
  const mac = createHmac('sha256', secret).update(`${timestampSeconds}.${body}`).digest('hex');
  return `t=${timestampSeconds},v1=${mac}`;
}

/**
 * For receivers (and tests): checks a signature header against the raw body. Rejects signatures older
 * than `toleranceSeconds` so a captured request cannot be replayed later.
 */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: string,
  nowSeconds = Math.floor(Date.now() / 1000),
  toleranceSeconds = 300,
): boolean {
  if (!header) return false;
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2) as [string, string]));
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(nowSeconds - t) > toleranceSeconds || !parts.v1) return false;
  const expected = Buffer.from(signPayload(secret, body, t).split('v1=')[1]!, 'hex');
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function newWebhookSecret(): string {
  return `whsec_${randomBytes(24).toString('base64url')}`;
}

export interface WebhookWorkerOptions {
  pollMs?: number;
  /** First retry delay; doubles per attempt up to maxDelayMs, with jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  /** Attempts before a delivery is marked dead. */
  maxAttempts?: number;
  timeoutMs?: number;
  batchSize?: number;
  /**
   * Private, loopback or link-local destinations allowed all the same (on-premise receivers): address
   * ranges ("10.20.0.0/16", "fd00::/8"), addresses or host names. Everything else must be public.
   */
  allow?: string[];
}

/** POSTs `body`; resolves with the status code. Connects only to addresses `policy` accepts. */
function post(
  url: string,
  headers: Record<string, string>,
  body: string,
  timeoutMs: number,
  policy: DestinationPolicy,
): Promise<number> {
  return new Promise((resolve, reject) => {
    const host = hostOf(url);
    // A literal address is never looked up, so it is checked here.
    const literal = isIP(host) ? policy.refusal(host, host) : null;
    if (literal) return reject(new BlockedDestinationError(literal));
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = send(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup: policy.lookup as never,
        signal: AbortSignal.timeout(timeoutMs),
      },
      (res) => {
        res.resume(); // the body is not needed
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export class WebhookWorker {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = true;
  private readonly o: Required<Omit<WebhookWorkerOptions, 'allow'>>;
  /** Where deliveries may go; also checked when an endpoint is registered. */
  readonly destinations: DestinationPolicy;

  constructor(
    private readonly storage: Storage,
    options: WebhookWorkerOptions = {},
    private readonly log: { warn(obj: object, msg: string): void; error(obj: object, msg: string): void } = console,
  ) {
    this.o = {
      pollMs: options.pollMs ?? 1_000,
      baseDelayMs: options.baseDelayMs ?? 10_000,
      maxDelayMs: options.maxDelayMs ?? 6 * 3_600_000,
      maxAttempts: options.maxAttempts ?? 12,
      timeoutMs: options.timeoutMs ?? 10_000,
      batchSize: options.batchSize ?? 20,
    };
    this.destinations = new DestinationPolicy(options.allow ?? []);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick()
        .then(() => {})
        .catch((err) => this.log.error({ err }, 'webhook worker tick failed'))
        .finally(() => {
          this.running = null;
          this.schedule();
        });
    }, this.o.pollMs);
    this.timer.unref();
  }

  /** One pass: claims due deliveries and sends them. Returns how many were attempted. */
  async tick(now = Date.now()): Promise<number> {
    const due = await this.storage.claimDueDeliveries(now, this.o.batchSize, this.o.timeoutMs * 2);
    await Promise.all(due.map((d) => this.deliver(d)));
    return due.length;
  }

  /** Delay before the next attempt after `attempts` failures: exponential with "equal jitter". */
  backoff(attempts: number): number {
    const ceiling = Math.min(this.o.maxDelayMs, this.o.baseDelayMs * 2 ** Math.max(0, attempts - 1));
    return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify({
      id: d.id,
      type: d.eventType,
      tenantId: d.tenantId,
      createdAt: d.createdAt,
      data: d.payload,
    });
    const timestamp = Math.floor(Date.now() / 1000);
    let statusCode: number | null = null;
    let error: string | null = null;
    try {
      statusCode = await post(
        d.url,
        {
          'content-type': 'application/json',
          'user-agent': 'lifeguard-webhooks/1',
          [SIGNATURE_HEADER]: signPayload(d.secret, body, timestamp),
          'lifeguard-event': d.eventType,
          'lifeguard-delivery': d.id,
        },
        body,
        this.o.timeoutMs,
        this.destinations,
      );
      if (statusCode >= 200 && statusCode < 300) {
        await this.storage.recordDeliveryOutcome(d.id, {
          ok: true,
          statusCode,
          error: null,
          at: Date.now(),
          nextAttemptAt: null,
        });
        return;
      }
      error = `HTTP ${statusCode}`;
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      error =
        e instanceof BlockedDestinationError
          ? `refused: ${e.message}`
          : e.name === 'AbortError'
            ? `timed out after ${this.o.timeoutMs} ms`
            : (e.code ?? e.message);
    }
    const attempts = d.attempts + 1;
    const nextAttemptAt = attempts >= this.o.maxAttempts ? null : Date.now() + this.backoff(attempts);
    if (nextAttemptAt === null)
      this.log.warn({ deliveryId: d.id, url: d.url, attempts, error }, 'webhook delivery failed for good');
    await this.storage.recordDeliveryOutcome(d.id, { ok: false, statusCode, error, at: Date.now(), nextAttemptAt });
  }
}
