// `lifeguard labels export`: moderators' decisions as training data for `lifeguard train`. Actioned
// (confirmed) cases label their conversations harmful, dismissed cases benign; the conversations'
// events (messages, and the participants' declared ages as account events) go to a JSONL file that
// train reads with the labels. The files hold children's messages: they are written owner-only.
import { createWriteStream, type WriteStream } from 'node:fs';
import { once } from 'node:events';
import { eventSchema, type LifeguardEvent } from '@lifeguard/core';
import type { CaseRecord, CaseStatus, Storage, StoredEvent } from '@lifeguard/storage';
import type { CaseEvidence } from '../cases/caseManager.ts';

/** Messages exported per conversation at most (the newest); train needs the build-up, not every line of a year-long chat. */
export const MAX_MESSAGES_PER_CONVERSATION = 10_000;
const PAGE = 200;

export class LabelsExportError extends Error {}

export interface LabelsExportOptions {
  tenantId: string;
  /** Where the labels go: {"conversationId", "label": "harmful"|"benign", ...} per line. */
  labelsOut: string;
  /** Where the conversations' events go (JSONL in the event schema); omitted: labels only. */
  eventsOut?: string;
  /** Only cases decided (last changed) at or after this time, ms since the epoch. */
  since?: number;
}

export interface LabelsExportSummary {
  tenantId: string;
  cases: { actioned: number; dismissed: number };
  labels: { harmful: number; benign: number };
  /** Conversations in both an actioned and a dismissed case: labelled harmful (a confirmed harm stands). */
  conflicts: number;
  events: { accounts: number; messages: number; file: string | null };
  /** Messages exported without text because retention removed it and no case kept a copy. */
  messagesWithoutText: number;
  /** Conversations left out of both files: none of their messages has text any more. */
  leftOut: number;
}

interface Labelled {
  label: 'harmful' | 'benign';
  caseIds: string[];
  decidedAt: number;
  modelId: string | null;
}

async function* decidedCases(
  storage: Storage,
  tenantId: string,
  status: CaseStatus,
  since: number,
): AsyncGenerator<CaseRecord> {
  let before: { updatedAt: number; id: string } | undefined;
  for (;;) {
    const page = await storage.listCases(tenantId, { status, limit: PAGE, ...(before ? { before } : {}) });
    for (const c of page) {
      if (c.updatedAt < since) return; // newest first: the rest are older still
      yield c;
    }
    if (page.length < PAGE) return;
    const last = page[page.length - 1]!;
    before = { updatedAt: last.updatedAt, id: last.id };
  }
}

async function write(stream: WriteStream, line: string): Promise<void> {
  if (!stream.write(`${line}\n`)) await once(stream, 'drain');
}

async function finish(stream: WriteStream): Promise<void> {
  stream.end();
  await once(stream, 'close');
}

async function open(path: string): Promise<WriteStream> {
  // Owner-only: the events hold children's messages, the labels name accounts and cases.
  const stream = createWriteStream(path, { mode: 0o600 });
  try {
    await once(stream, 'open');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new LabelsExportError(
      `cannot write ${path}: ${code === 'ENOENT' ? 'its directory does not exist' : code === 'EISDIR' ? 'is a directory' : (code ?? (err as Error).message)}`,
    );
  }
  return stream;
}

/**
 * A stored message as an event. Retention keeps the text of every conversation a case holds (until a
 * dismissed case's own copy is purged), so text is missing only where it is gone everywhere.
 */
function messageEvent(stored: StoredEvent): { event: LifeguardEvent; hasText: boolean } | null {
  const e = stored.event;
  if (e.type !== 'message') return null;
  return { event: e, hasText: !stored.textPurged && e.text !== '' };
}

export async function exportLabels(storage: Storage, options: LabelsExportOptions): Promise<LabelsExportSummary> {
  const { tenantId } = options;
  if (!(await storage.getTenant(tenantId))) throw new LabelsExportError(`no tenant "${tenantId}" in this database`);
  if (options.eventsOut !== undefined && options.eventsOut === options.labelsOut)
    throw new LabelsExportError('--out and --events must be different files');
  const since = options.since ?? 0;

  const labelled = new Map<string, Labelled>();
  const counts = { actioned: 0, dismissed: 0 };
  let conflicts = 0;
  for (const status of ['actioned', 'dismissed'] as const) {
    const label = status === 'actioned' ? 'harmful' : 'benign';
    for await (const c of decidedCases(storage, tenantId, status, since)) {
      counts[status]++;
      const modelId = (c.evidence as Partial<CaseEvidence> | null)?.modelId ?? null;
      for (const conversationId of c.conversationIds) {
        const known = labelled.get(conversationId);
        if (!known) {
          labelled.set(conversationId, { label, caseIds: [c.id], decidedAt: c.updatedAt, modelId });
          continue;
        }
        if (known.label !== label) conflicts++; // actioned cases come first, so harmful stays
        known.caseIds.push(c.id);
      }
    }
  }

  const summary: LabelsExportSummary = {
    tenantId,
    cases: counts,
    labels: { harmful: 0, benign: 0 },
    conflicts,
    events: { accounts: 0, messages: 0, file: options.eventsOut ?? null },
    messagesWithoutText: 0,
    leftOut: 0,
  };
  const conversations = [...labelled.keys()].sort();
  const exported = new Set<string>();

  if (options.eventsOut !== undefined) {
    // First pass: who takes part, and which conversations still have any text to learn from.
    const participants = new Set<string>();
    let firstAt = Infinity;
    for (const id of conversations) {
      const messages = await storage.conversationMessages(
        tenantId,
        id,
        Number.MAX_SAFE_INTEGER,
        MAX_MESSAGES_PER_CONVERSATION,
      );
      const usable = messages.map(messageEvent).filter((m) => m !== null);
      if (!usable.some((m) => m.hasText)) {
        summary.leftOut++;
        continue;
      }
      exported.add(id);
      for (const { event } of usable) {
        if (event.type !== 'message') continue;
        participants.add(event.senderId);
        for (const r of event.recipientIds) participants.add(r);
        firstAt = Math.min(firstAt, typeof event.time === 'number' ? event.time : Date.parse(event.time));
      }
    }
    const events = await open(options.eventsOut);
    try {
      // Declared ages first, so the detector knows who is a child from the first message on.
      const accounts = await storage.getAccounts(tenantId, [...participants]);
      const at = Number.isFinite(firstAt) ? Math.max(0, firstAt - 1) : 0;
      for (const userId of [...accounts.keys()].sort()) {
        const a = accounts.get(userId)!;
        const candidate = {
          type: 'account',
          id: `labels-export-account-${userId}`,
          time: at,
          userId,
          ...(a.age !== null ? { age: a.age } : {}),
          ...(a.ageBand !== null ? { ageBand: a.ageBand } : {}),
          ...(a.createdAt !== null ? { createdAt: Math.min(a.createdAt, at) } : {}),
          ...(a.country !== null ? { country: a.country } : {}),
        };
        const parsed = eventSchema.safeParse(candidate);
        if (!parsed.success) continue; // stored before today's limits; the messages still go out
        await write(events, JSON.stringify(candidate));
        summary.events.accounts++;
      }
      for (const id of conversations) {
        if (!exported.has(id)) continue;
        const messages = await storage.conversationMessages(
          tenantId,
          id,
          Number.MAX_SAFE_INTEGER,
          MAX_MESSAGES_PER_CONVERSATION,
        );
        for (const stored of messages) {
          const m = messageEvent(stored);
          if (!m) continue;
          if (!m.hasText) summary.messagesWithoutText++;
          await write(events, JSON.stringify(m.event));
          summary.events.messages++;
        }
      }
    } finally {
      await finish(events);
    }
  } else {
    for (const id of conversations) exported.add(id);
  }

  const labels = await open(options.labelsOut);
  try {
    for (const id of conversations) {
      if (!exported.has(id)) continue;
      const entry = labelled.get(id)!;
      summary.labels[entry.label]++;
      // train reads conversationId and label; the rest says where the label came from.
      await write(
        labels,
        JSON.stringify({
          conversationId: id,
          label: entry.label,
          caseIds: entry.caseIds,
          decidedAt: new Date(entry.decidedAt).toISOString(),
          modelId: entry.modelId,
        }),
      );
    }
  } finally {
    await finish(labels);
  }
  return summary;
}
