// A local JSON intake for the tests of the HTTPS transports (DSA Art. 18 police notifications, the NCA
// API transport): the contract docs/reporting.md documents (POST JSON, bearer token, Idempotency-Key,
// answer {reference}). A police intake checks each notification with the same schema the service builds
// it with; another intake brings its own check. Failures are scripted per request: a server error, a
// refused token, a refusal, a dropped connection, and an answer lost after the document was recorded.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { threatNotificationSchema, type ThreatNotification } from '../src/reporting/dsa/notification.ts';
import { zodProblems } from '@lifeguard/core';

export type ScriptedFailure = 503 | 401 | 422 | 'drop' | 'lose-answer';

/** Checks a received document: its reference prefix, or what is wrong with it. */
export type IntakeCheck = (json: unknown) => { prefix: string } | { error: string };

const policeCheck: IntakeCheck = (json) => {
  const parsed = threatNotificationSchema.safeParse(json);
  return parsed.success
    ? { prefix: parsed.data.recipient.target }
    : { error: zodProblems(parsed.error.issues).join('; ') };
};

export class JsonIntake {
  constructor(private readonly check: IntakeCheck = policeCheck) {}

  private server: Server | null = null;
  url = '';
  readonly token = 'police-test-token';
  /** Notifications recorded, by reference; one per Idempotency-Key. */
  readonly received = new Map<string, { path: string; key: string; body: ThreatNotification }>();
  /** Every request that reached the intake, answered or not. */
  requests = 0;
  private readonly byKey = new Map<string, string>();
  private readonly script: ScriptedFailure[] = [];
  private seq = 0;

  failNext(...f: ScriptedFailure[]): void {
    this.script.push(...f);
  }

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.requests++;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const answer = (status: number, body: object) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    const scripted = this.script.shift();
    if (scripted === 'drop') return void res.socket?.destroy();
    if (scripted === 503) return answer(503, { error: 'intake temporarily unavailable' });
    if (scripted === 422) return answer(422, { error: 'recipient refuses: duty officer asks for a phone number' });
    if (req.method !== 'POST') return answer(405, { error: 'POST only' });
    if (scripted === 401 || req.headers.authorization !== `Bearer ${this.token}`)
      return answer(401, { error: 'bad or missing token' });
    const key = String(req.headers['idempotency-key'] ?? '');
    if (!key) return answer(400, { error: 'Idempotency-Key header is required' });
    let json: unknown;
    try {
      json = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return answer(400, { error: 'body is not JSON' });
    }
    const checked = this.check(json);
    if ('error' in checked) return answer(400, { error: checked.error });
    const known = this.byKey.get(key);
    const reference = known ?? `${checked.prefix}-2026-${String(++this.seq).padStart(6, '0')}`;
    if (!known) {
      this.byKey.set(key, reference);
      this.received.set(reference, { path: req.url ?? '', key, body: json as ThreatNotification });
    }
    if (scripted === 'lose-answer') return void res.socket?.destroy();
    answer(known ? 200 : 201, { reference });
  }
}
