// The CyberTipline Reporting API over HTTPS with basic auth: /status, /submit, /upload, /fileinfo,
// /finish, /retract. Every answer is NCMEC's XML (responseCode 0 is success); anything else (no
// connection, a timeout, a body that is not such XML) is a NcmecTransportError and worth retrying.
import { parseAnswer, type NcmecAnswer } from './xml.ts';

export const NCMEC_BASE_URLS = {
  test: 'https://exttest.cybertip.org/ispws',
  production: 'https://report.cybertip.org/ispws',
} as const;

export interface NcmecConfig {
  /** 'test' (default) files into NCMEC's test environment; 'production' files real reports. */
  environment: 'test' | 'production';
  /** Overrides the environment's address (a local test server). */
  baseUrl?: string;
  username: string;
  password: string;
  /** Per request (default 60 s). */
  timeoutMs?: number;
}

export class NcmecTransportError extends Error {
  constructor(
    message: string,
    readonly httpStatus: number | null,
  ) {
    super(message);
    this.name = 'NcmecTransportError';
  }
}

export class NcmecClient {
  readonly baseUrl: string;
  private readonly auth: string;
  private readonly timeoutMs: number;

  constructor(config: NcmecConfig) {
    this.baseUrl = (config.baseUrl ?? NCMEC_BASE_URLS[config.environment]).replace(/\/+$/, '');
    this.auth = `Basic ${Buffer.from(`${config.username}:${config.password}`).toString('base64')}`;
    this.timeoutMs = config.timeoutMs ?? 60_000;
  }

  private async call(
    path: string,
    init: { method: 'GET' | 'POST'; body?: string | FormData; contentType?: string },
  ): Promise<NcmecAnswer> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method: init.method,
        headers: { authorization: this.auth, ...(init.contentType ? { 'content-type': init.contentType } : {}) },
        ...(init.body !== undefined ? { body: init.body } : {}),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const cause = (err as Error & { cause?: Error }).cause;
      throw new NcmecTransportError(
        `${path}: no answer from ${this.baseUrl} (${cause?.message ?? (err as Error).message})`,
        null,
      );
    }
    let text: string;
    try {
      text = await res.text();
    } catch (err) {
      throw new NcmecTransportError(`${path}: the answer broke off (${(err as Error).message})`, res.status);
    }
    const answer = parseAnswer(text);
    if (!answer) throw new NcmecTransportError(`${path}: HTTP ${res.status} without a CyberTipline answer`, res.status);
    return answer;
  }

  private form(fields: Record<string, string | Blob>, fileName?: string): FormData {
    const f = new FormData();
    for (const [k, v] of Object.entries(fields)) {
      if (typeof v === 'string') f.append(k, v);
      else f.append(k, v, fileName);
    }
    return f;
  }

  status(): Promise<NcmecAnswer> {
    return this.call('/status', { method: 'GET' });
  }

  submit(xml: string): Promise<NcmecAnswer> {
    return this.call('/submit', { method: 'POST', body: xml, contentType: 'text/xml; charset=utf-8' });
  }

  upload(reportId: string, bytes: Buffer, fileName: string): Promise<NcmecAnswer> {
    return this.call('/upload', {
      method: 'POST',
      body: this.form({ id: reportId, file: new Blob([new Uint8Array(bytes)]) }, fileName),
    });
  }

  fileinfo(xml: string): Promise<NcmecAnswer> {
    return this.call('/fileinfo', { method: 'POST', body: xml, contentType: 'text/xml; charset=utf-8' });
  }

  finish(reportId: string): Promise<NcmecAnswer> {
    return this.call('/finish', { method: 'POST', body: this.form({ id: reportId }) });
  }

  retract(reportId: string): Promise<NcmecAnswer> {
    return this.call('/retract', { method: 'POST', body: this.form({ id: reportId }) });
  }
}

/** NCMEC's codes (documentation, "report response"): which ones a later try can fix by itself. */
export const NCMEC_CODES = {
  ok: 0,
  serverError: 1000,
  saveFailed: 1100,
  uploadFailed: 1110,
  fileUploadFailed: 1111,
  resourceNotFound: 1210,
  updateFailed: 1300,
  authenticationRequired: 2000,
  notAuthorized: 3000,
  notAuthorizedForSubmissions: 3100,
  notAuthorizedForUpdates: 3300,
  invalidRequest: 4000,
  validationFailed: 4100,
  malformedXml: 4110,
  malformedFile: 4200,
  reportDoesNotExist: 5001,
  fileDoesNotExist: 5002,
  alreadyRetracted: 5101,
  alreadyFinished: 5102,
} as const;

/** Server-side and credential failures are retried; a refused document is not (it would be refused again). */
export function retryable(code: number): boolean {
  return code >= 1000 && code < 4000;
}
