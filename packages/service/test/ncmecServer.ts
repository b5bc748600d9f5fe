// A local stand-in for the CyberTipline Reporting API, following NCMEC's published documentation:
// basic auth, /status, /xsd, /submit (the report XML, validated with the same schema Lifeguard uses),
// /upload (multipart id + file; answers the file id and its MD5), /fileinfo (validated too), /finish,
// /retract, and NCMEC's error answers. Faults can be queued per endpoint to test retries and crashes.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { create } from 'xmlbuilder2';
import { readFileSync } from 'node:fs';
import { validateCyberTiplineXml } from '../src/reporting/ncmec/schema.ts';

export type Fault =
  | { kind: 'http500' }
  /** The connection is closed without an answer (the service sees a network error). */
  | { kind: 'drop' }
  /** An NCMEC error answer with this code. */
  | { kind: 'code'; code: number; description: string; status?: number }
  /** The request is handled, then this runs before the answer goes out (e.g. to kill the client). */
  | { kind: 'before_answer'; run: () => void };

interface StoredReport {
  id: string;
  xml: string;
  files: Map<string, { name: string; md5: string; info: string | null }>;
  finished: boolean;
  retracted: boolean;
}

export class LocalNcmec {
  readonly reports = new Map<string, StoredReport>();
  /** Calls per endpoint, answered or not. */
  readonly calls: Record<string, number> = {};
  private readonly faults = new Map<string, Fault[]>();
  private server: Server | null = null;
  private nextId = 1000;
  private nextFile = 1;
  url = '';

  constructor(
    private readonly username = 'lifeguard-test',
    private readonly password = 'test-password',
  ) {}

  fail(path: string, ...faults: Fault[]): void {
    this.faults.set(path, [...(this.faults.get(path) ?? []), ...faults]);
  }

  finishedCount(): number {
    return [...this.reports.values()].filter((r) => r.finished).length;
  }

  async start(): Promise<string> {
    this.server = createServer(
      (req, res) =>
        void this.handle(req, res).catch((err) => {
          res.statusCode = 500;
          res.end(String(err));
        }),
    );
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/ispws`;
    return this.url;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  private answer(res: ServerResponse, status: number, root: string, fields: Record<string, unknown>): void {
    const doc = create({ version: '1.0', encoding: 'UTF-8' }).ele(root);
    for (const [k, v] of Object.entries(fields)) {
      if (v === undefined) continue;
      if (Array.isArray(v)) {
        const list = doc.ele(k);
        for (const item of v) list.ele('fileId').txt(String(item));
      } else doc.ele(k).txt(String(v));
    }
    res.statusCode = status;
    res.setHeader('content-type', 'application/xml');
    res.end(doc.end());
  }

  private error(res: ServerResponse, status: number, code: number, description: string): void {
    this.answer(res, status, 'reportResponse', { responseCode: code, responseDescription: description });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '').replace(/^\/ispws/, '').split('?')[0]!;
    this.calls[path] = (this.calls[path] ?? 0) + 1;
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks);

    const expected = `Basic ${Buffer.from(`${this.username}:${this.password}`).toString('base64')}`;
    if (req.headers.authorization !== expected) return this.error(res, 401, 2000, 'Authentication required');

    const fault = this.faults.get(path)?.shift();
    if (fault?.kind === 'http500') {
      res.statusCode = 500;
      res.end('Internal Server Error');
      return;
    }
    if (fault?.kind === 'drop') {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'code') return this.error(res, fault.status ?? 500, fault.code, fault.description);
    const beforeAnswer = fault?.kind === 'before_answer' ? fault.run : null;

    const form = async () =>
      new Request('http://local/', {
        method: 'POST',
        headers: { 'content-type': String(req.headers['content-type'] ?? '') },
        body: raw,
      }).formData();
    const ok = (root: string, fields: Record<string, unknown>) => {
      beforeAnswer?.();
      this.answer(res, 200, root, {
        responseCode: 0,
        ...(root === 'reportResponse' ? { responseDescription: 'Success' } : {}),
        ...fields,
      });
    };

    if (req.method === 'GET' && path === '/status') return ok('reportResponse', {});
    if (req.method === 'GET' && path === '/xsd') {
      res.setHeader('content-type', 'application/xml');
      res.end(readFileSync(new URL('../src/reporting/ncmec/cybertipline.xsd', import.meta.url)));
      return;
    }
    if (req.method !== 'POST') return this.error(res, 405, 4000, 'Invalid request');

    if (path === '/submit') {
      const xml = raw.toString('utf8');
      const checked = await validateCyberTiplineXml(xml);
      if (!checked.valid) return this.error(res, 400, 4100, `Validation failed: ${checked.errors.join(' ')}`);
      const id = String(this.nextId++);
      this.reports.set(id, { id, xml, files: new Map(), finished: false, retracted: false });
      return ok('reportResponse', { reportId: id });
    }
    if (path === '/upload') {
      const f = await form();
      const report = this.reports.get(String(f.get('id')));
      if (!report) return this.error(res, 400, 5001, 'Report does not exist');
      if (report.finished) return this.error(res, 400, 5102, 'Report already finished');
      if (report.retracted) return this.error(res, 400, 5101, 'Report already retracted');
      const file = f.get('file');
      if (!(file instanceof Blob)) return this.error(res, 400, 4200, 'Malformed file submittal');
      const bytes = Buffer.from(await file.arrayBuffer());
      const fileId = `file-${this.nextFile++}`;
      const md5 = createHash('md5').update(bytes).digest('hex');
      report.files.set(fileId, { name: (file as File).name ?? '', md5, info: null });
      return ok('reportResponse', { reportId: report.id, fileId, hash: md5 });
    }
    if (path === '/fileinfo') {
      const xml = raw.toString('utf8');
      const checked = await validateCyberTiplineXml(xml);
      if (!checked.valid) return this.error(res, 400, 4100, `Validation failed: ${checked.errors.join(' ')}`);
      const o = create(xml).end({ format: 'object' }) as { fileDetails: { reportId: string; fileId: string } };
      const report = this.reports.get(o.fileDetails.reportId);
      if (!report) return this.error(res, 400, 5001, 'Report does not exist');
      const file = report.files.get(o.fileDetails.fileId);
      if (!file) return this.error(res, 400, 5002, 'File does not exist');
      file.info = xml;
      return ok('reportResponse', { reportId: report.id });
    }
    if (path === '/finish' || path === '/retract') {
      const id = String((await form()).get('id'));
      const report = this.reports.get(id);
      if (!report) return this.error(res, 400, 5001, 'Report does not exist');
      if (report.retracted) return this.error(res, 400, 5101, 'Report already retracted');
      if (report.finished) return this.error(res, 400, 5102, 'Report already finished');
      if (path === '/finish') report.finished = true;
      else report.retracted = true;
      if (path === '/finish') {
        beforeAnswer?.();
        return this.answer(res, 200, 'reportDoneResponse', {
          responseCode: 0,
          reportId: id,
          files: [...report.files.keys()],
        });
      }
      return ok('reportResponse', { reportId: id });
    }
    return this.error(res, 404, 1210, 'Resource not found');
  }
}
