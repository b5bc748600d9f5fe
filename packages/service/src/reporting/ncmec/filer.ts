// Files one prepared report with NCMEC, step by step: submit, then per file upload and fileinfo, then
// finish. Each step's result is stored before the next step starts, so a restart continues where the
// last run stopped: a report id once stored is never submitted again, and a finish that NCMEC already
// took answers 5102 ("already finished"), which counts as done. A crash after NCMEC created a report
// but before its id was stored leaves an unfinished report there, which NCMEC does not treat as filed.
import { createHash } from 'node:crypto';
import type { AuthorityReportRecord } from '@lifeguard/storage';
import { NCMEC_CODES, NcmecTransportError, retryable, type NcmecClient } from './client.ts';
import { buildFileDetailsXml, type NcmecAnswer } from './xml.ts';

export interface NcmecFile {
  fileName: string;
  /** Dropped from the stored report once it is filed: the bytes stay the platform's. */
  contentBase64: string | null;
  fileViewedByEsp: boolean;
  publiclyAvailable: boolean;
  industryClassification?: string | undefined;
  md5: string;
  sha256: string;
}

export interface NcmecBody {
  xml: string;
  files: NcmecFile[];
}

export interface NcmecProgress {
  reportId?: string;
  submittedAt?: number;
  files?: Record<string, { fileId: string; md5: string | null; infoSent: boolean }>;
}

export type FilingOutcome =
  | { kind: 'filed'; externalId: string }
  | { kind: 'retry'; error: string }
  | { kind: 'rejected'; error: string }
  | { kind: 'retracted'; error: string };

export function fileHashes(bytes: Buffer): { md5: string; sha256: string } {
  return {
    md5: createHash('md5').update(bytes).digest('hex'),
    sha256: createHash('sha256').update(bytes).digest('hex'),
  };
}

function refused(step: string, a: NcmecAnswer): FilingOutcome {
  const error = `NCMEC ${step}: ${a.responseCode} ${a.description}`.trim();
  if (a.responseCode === NCMEC_CODES.alreadyRetracted) return { kind: 'retracted', error };
  return retryable(a.responseCode) ? { kind: 'retry', error } : { kind: 'rejected', error };
}

export class NcmecFiler {
  constructor(private readonly client: NcmecClient) {}

  /** `save` stores new progress (and the NCMEC report id) before the next step runs. */
  async run(
    record: AuthorityReportRecord,
    save: (progress: NcmecProgress, externalId?: string) => Promise<void>,
  ): Promise<FilingOutcome> {
    const body = record.body as NcmecBody;
    const progress: NcmecProgress = { ...(record.progress as NcmecProgress) };
    try {
      if (!progress.reportId) {
        const a = await this.client.submit(body.xml);
        if (a.responseCode !== NCMEC_CODES.ok || !a.reportId) return refused('submit', a);
        progress.reportId = a.reportId;
        progress.submittedAt = Date.now();
        await save(progress, a.reportId);
      }
      const reportId = progress.reportId;
      progress.files ??= {};
      for (const [i, f] of body.files.entries()) {
        let sent = progress.files[i];
        if (!sent) {
          if (f.contentBase64 === null) continue; // filed before; the bytes were let go
          const a = await this.client.upload(reportId, Buffer.from(f.contentBase64, 'base64'), f.fileName);
          if (a.responseCode !== NCMEC_CODES.ok || !a.fileId) return refused(`upload of ${f.fileName}`, a);
          if (a.hash && a.hash.toLowerCase() !== f.md5)
            return {
              kind: 'retry',
              error: `NCMEC upload of ${f.fileName}: MD5 ${a.hash} does not match the file's ${f.md5}`,
            };
          sent = { fileId: a.fileId, md5: a.hash, infoSent: false };
          progress.files[i] = sent;
          await save(progress);
        }
        if (!sent.infoSent) {
          const xml = buildFileDetailsXml({
            reportId,
            fileId: sent.fileId,
            fileName: f.fileName,
            fileViewedByEsp: f.fileViewedByEsp,
            publiclyAvailable: f.publiclyAvailable,
            industryClassification: f.industryClassification,
            md5: f.md5,
            sha256: f.sha256,
          });
          const a = await this.client.fileinfo(xml);
          if (a.responseCode !== NCMEC_CODES.ok) return refused(`fileinfo of ${f.fileName}`, a);
          sent.infoSent = true;
          await save(progress);
        }
      }
      const done = await this.client.finish(reportId);
      if (done.responseCode !== NCMEC_CODES.ok && done.responseCode !== NCMEC_CODES.alreadyFinished)
        return refused('finish', done);
      return { kind: 'filed', externalId: reportId };
    } catch (err) {
      if (err instanceof NcmecTransportError) return { kind: 'retry', error: err.message };
      throw err;
    }
  }

  /** Withdraws a report NCMEC has not been told is finished. */
  async retract(reportId: string): Promise<{ ok: true } | { ok: false; error: string }> {
    try {
      const a = await this.client.retract(reportId);
      if (a.responseCode === NCMEC_CODES.ok || a.responseCode === NCMEC_CODES.alreadyRetracted) return { ok: true };
      return { ok: false, error: `NCMEC retract: ${a.responseCode} ${a.description}` };
    } catch (err) {
      if (err instanceof NcmecTransportError) return { ok: false, error: err.message };
      throw err;
    }
  }
}
