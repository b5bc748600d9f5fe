// `lifeguard demo`: the service on a temporary SQLite database, a short scripted scenario sent over
// real HTTP as a platform would, and a plain account of what the service decided and why.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStorage } from '@lifeguard/storage';
import { buildServer } from '../server.ts';
import { createKey } from '../auth/keys.ts';
import { verifySignature, SIGNATURE_HEADER } from '../webhooks/worker.ts';
import {
  DEMO_USERS,
  FRIENDS_CHAT,
  FRIENDS_CONVERSATION,
  STRANGER_CHAT,
  STRANGER_CONVERSATION,
  messageEvents,
  setupEvents,
} from './scenario.ts';

/** The parts of a case's wire form that the demo prints. */
interface DemoCase {
  id: string;
  accusedId: string;
  status: string;
  level: string;
  score: number;
  evidence: {
    participants: { userId: string; declaredAge?: number | null; age?: number | null; ageSource?: string }[];
    conversations: Record<string, { report?: { reasons: string[] }; messages: unknown[] } | undefined>;
  };
}

export interface DemoOptions {
  write(line: string): void;
  keep?: boolean;
}

export interface DemoSummary {
  caseId: string | null;
  /** Message number (1-based, in the stranger chat) after which the case opened. */
  caseOpenedAfter: number | null;
  decisions: { step: string; decision: string }[];
  webhookVerified: boolean;
}

interface Nudge {
  audience: string;
  code: string;
  text: string;
  help?: { name: string; url: string; phone?: string }[];
}
interface DecisionBody {
  decision: string;
  reasons: { code: string; message: string }[];
  nudges: Nudge[];
  profile: string;
}

const quote = (text: string, width = 58) => {
  const q = `"${text}"`;
  return q.length > width ? `${q.slice(0, width - 2)}…"` : q.padEnd(width);
};

export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const out = options.write;
  const started = Date.now();
  const dir = mkdtempSync(join(tmpdir(), 'lifeguard-demo-'));
  const storage = new SqliteStorage({ path: join(dir, 'demo.db') });
  await storage.migrate();
  const { key } = await createKey(storage, 'demo-platform', 'demo', ['admin'], 'Demo platform');
  const app = await buildServer({ storage, webhooks: { pollMs: 100, allow: ['127.0.0.1'] } }); // the demo's receiver is local
  const base = await app.listen({ host: '127.0.0.1', port: 0 });

  // The platform's side: a webhook receiver that checks signatures.
  const secret = 'demo-webhook-secret-0123456789';
  const received: { type: string; verified: boolean }[] = [];
  const receiver: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => {
      received.push({
        type: String(req.headers['lifeguard-event']),
        verified: verifySignature(secret, req.headers[SIGNATURE_HEADER] as string, body),
      });
      res.statusCode = 204;
      res.end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));

  const summary: DemoSummary = { caseId: null, caseOpenedAfter: null, decisions: [], webhookVerified: false };
  const api = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${base}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${key}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  };
  const ingest = (events: unknown[]) => api('POST', '/v1/events', { events });
  const showDecision = (step: string, d: DecisionBody, indent = '     ') => {
    summary.decisions.push({ step, decision: d.decision });
    if (d.decision !== 'allow') out(`${indent}why: ${d.reasons[0]?.message ?? ''}`);
    for (const n of d.nudges) {
      const help = n.help?.length
        ? ` [${n.help.map((h) => `${h.name}${h.phone ? ` ${h.phone}` : ''} ${h.url}`).join('; ')}]`
        : '';
      out(`${indent}nudge to ${n.audience === 'recipient' ? 'the recipient' : 'the sender'}: ${n.text}${help}`);
    }
  };

  try {
    const { child, friend, stranger } = DEMO_USERS;
    out('Lifeguard demo');
    out(`  service: ${base} on SQLite (${dir}); API docs at ${base}/docs`);
    out(
      `  people: ${child} (13) and ${friend} (13) are friends; ${stranger} is an adult (34) whose account is two days old.`,
    );
    out('');
    await api('POST', '/v1/webhooks', {
      url: `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/lifeguard`,
      events: ['case.*'],
      secret,
    });
    const t0 = Date.now() - 15 * 60_000;
    await ingest(setupEvents(t0));

    out(`1. Ordinary chat between ${child} and ${friend}`);
    for (const m of FRIENDS_CHAT) {
      const d = await api<DecisionBody>('POST', '/v1/decisions/message', {
        senderId: m.from,
        recipientId: m.to,
        conversationId: FRIENDS_CONVERSATION,
        text: m.text,
      });
      out(`   ${m.from.padEnd(5)}→ ${m.to.padEnd(5)} ${quote(m.text)} ${d.decision}`);
      showDecision('friends chat', d);
    }
    await ingest(messageEvents(FRIENDS_CHAT, FRIENDS_CONVERSATION, 'friends', t0 + 60_000));
    out('');

    out(`2. ${stranger} tries to message ${child} directly`);
    const dm = await api<DecisionBody>('POST', '/v1/decisions/contact', { senderId: stranger, recipientId: child });
    out(`   decision: ${dm.decision} (${dm.profile} profile)`);
    showDecision('stranger direct message', dm, '   ');
    out('');

    out(`3. ${stranger} sends ${child} a friend request`);
    const fr = await api<DecisionBody>('POST', '/v1/decisions/contact', {
      senderId: stranger,
      recipientId: child,
      kind: 'friend_request',
    });
    out(`   decision: ${fr.decision}`);
    showDecision('stranger friend request', fr, '   ');
    await ingest([
      {
        type: 'contact',
        id: 'rick-requests',
        time: t0 + 120_000,
        action: 'friend_request',
        actorId: stranger,
        targetId: child,
      },
      {
        type: 'contact',
        id: 'maya-accepts',
        time: t0 + 130_000,
        action: 'friend_accept',
        actorId: child,
        targetId: stranger,
      },
    ]);
    out(`   ${child} accepts the request; they are now connected.`);
    out('');

    out(`4. ${stranger} and ${child} chat; each message is checked before delivery, then sent to /v1/events`);
    const chat = messageEvents(STRANGER_CHAT, STRANGER_CONVERSATION, 'stranger', t0 + 180_000);
    for (const [i, m] of STRANGER_CHAT.entries()) {
      const d = await api<DecisionBody>('POST', '/v1/decisions/message', {
        senderId: m.from,
        recipientId: m.to,
        conversationId: STRANGER_CONVERSATION,
        text: m.text,
      });
      out(`   ${m.from.padEnd(5)}→ ${m.to.padEnd(5)} ${quote(m.text)} ${d.decision}`);
      showDecision(`stranger message ${i + 1}`, d);
      await ingest([chat[i]]);
      if (!summary.caseId) {
        const { cases } = await api<{ cases: { id: string; level: string }[] }>(
          'GET',
          `/v1/cases?accusedId=${stranger}`,
        );
        if (cases[0]) {
          summary.caseId = cases[0].id;
          summary.caseOpenedAfter = i + 1;
          out(
            `     >> case ${cases[0].id} opened against ${stranger} (${cases[0].level} risk); a moderator is now needed`,
          );
        }
      }
    }
    out('');

    out('5. The case a moderator sees');
    if (summary.caseId) {
      const { case: c, history } = await api<{
        case: DemoCase;
        history: { at: number; actor: string; action: string; note: string | null }[];
      }>('GET', `/v1/cases/${summary.caseId}`);
      out(`   ${c.id}: accused ${c.accusedId}, status ${c.status}, level ${c.level}, score ${c.score.toFixed(2)}`);
      out(
        `   participants: ${c.evidence.participants.map((p) => `${p.userId} ${p.declaredAge ?? p.age ?? '?'} (${p.declaredAge != null ? 'declared' : p.ageSource})`).join(', ')}`,
      );
      const conv = c.evidence.conversations[STRANGER_CONVERSATION];
      out(`   why (strongest first):`);
      for (const r of (conv?.report?.reasons ?? []).slice(0, 6)) out(`     - ${r}`);
      out(
        `   evidence kept with the case: ${conv?.messages.length ?? 0} messages with their text (kept when raw-text retention runs)`,
      );
      out(`   history: ${history.map((h) => `${h.action} by ${h.actor}`).join('; ')}`);
    } else {
      out('   no case opened (unexpected: the detector did not cross its threshold)');
    }
    out('');

    out(`6. Safety by design now that the detector holds risk on ${stranger}`);
    const toFriend = await api<DecisionBody>('POST', '/v1/decisions/contact', {
      senderId: stranger,
      recipientId: friend,
      kind: 'friend_request',
    });
    out(`   ${stranger} → ${friend} friend request: ${toFriend.decision}`);
    showDecision('risky sender to another child', toFriend);
    const vis = await api<{ results: { subjectId: string; visible: boolean; reasons: { message: string }[] }[] }>(
      'POST',
      '/v1/decisions/visibility',
      {
        viewerId: stranger,
        subjectIds: [friend, DEMO_USERS.adultFriend],
        surface: 'friend_suggestions',
      },
    );
    for (const r of vis.results)
      out(`   suggest ${r.subjectId} to ${stranger}? ${r.visible ? 'yes' : 'no'}: ${r.reasons[0]?.message ?? ''}`);
    out('');

    out('7. Webhooks to the platform');
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline && !received.some((r) => r.type === 'case.opened'))
      await new Promise((r) => setTimeout(r, 50));
    for (const r of received) out(`   received ${r.type}, signature ${r.verified ? 'verified' : 'INVALID'}`);
    summary.webhookVerified = received.some((r) => r.type === 'case.opened' && r.verified);
    if (received.length === 0) out('   none received within 5 s');
    out('');
    out(
      `Done in ${((Date.now() - started) / 1000).toFixed(1)} s. Nothing here reports anyone to the police: a score is a reason for human review.`,
    );
    if (options.keep) out(`Database kept at ${join(dir, 'demo.db')}`);
    return summary;
  } finally {
    await app.close();
    await storage.close();
    receiver.close();
    if (!options.keep) rmSync(dir, { recursive: true, force: true });
  }
}
