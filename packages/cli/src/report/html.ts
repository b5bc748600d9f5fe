// The triage report as one HTML file: inline CSS and SVG, no script, no external request (a
// Content-Security-Policy forbids them), and no media: attachments appear as labelled placeholders.
import { GROOMING_STAGES, type ConversationRiskReport, type GroomingStage, type SignalKind } from '@lifeguard/core';
import type { InputFormat, ReaderStats } from '../input/types.ts';
import { riskChart, type RiskPoint } from './chart.ts';
import { escapeHtml, highlight } from './escape.ts';

export interface TimelineSignal {
  kind: SignalKind;
  start: number;
  end: number;
  excerpt: string;
  stage: GroomingStage | null;
}

export interface TimelineMessage {
  id: string;
  time: number;
  sender: string;
  text: string;
  attachments: string[];
  signals: TimelineSignal[];
  /** The conversation's score once this message was read. */
  scoreAfter: number;
}

export interface ReportConversation {
  report: ConversationRiskReport;
  messages: TimelineMessage[];
  risk: RiskPoint[];
  /** Messages not kept for the timeline (memory cap), unflagged ones only. */
  omitted: number;
  flaggedCount: number;
}

export interface ReportData {
  file: string;
  format: InputFormat | null;
  detail: string | null;
  generatedAt: number;
  minScore: number;
  /** Conversations shown in full; the others are only listed. */
  limit: number;
  stats: ReaderStats;
  issues: string[];
  issueCount: number;
  fatal: string | null;
  declaredAges: [string, number][];
  conversations: ReportConversation[];
}

const STAGE_NAMES: Record<GroomingStage, string> = {
  access: 'access',
  trust: 'trust building',
  risk_assessment: 'risk assessment',
  isolation: 'isolation',
  platform_move: 'move to another platform',
  sexualisation: 'sexualisation',
  meeting: 'meeting',
  sextortion: 'sextortion',
};

const when = (t: number) => (Number.isFinite(t) ? new Date(t).toISOString().slice(0, 16).replace('T', ' ') : '?');
const kindLabel = (kind: string) => kind.replace(/_/g, ' ');
const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;

const CSS = `
:root { color-scheme: light; --ink:#1d2330; --muted:#5b6475; --line:#d9dde5; --flag:#fff1c2; --flag-ink:#7a4b00; --risk:#c0392b; --ok:#2e7d32; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--ink); margin: 0; background: #f5f6f8; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
header.top { background: #fff; border-bottom: 1px solid var(--line); }
header.top > div { max-width: 980px; margin: 0 auto; padding: 18px 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; margin: 28px 0 10px; }
section.conversation h2 { margin-top: 4px; }
h3 { font-size: 15px; margin: 18px 0 8px; }
.muted { color: var(--muted); }
.notice { background: #eef4ff; border: 1px solid #c9d8f5; padding: 10px 14px; border-radius: 6px; margin: 12px 0; }
.stopped { background: #fdecea; border-color: #f5c2bd; }
section.conversation { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px 20px; margin: 18px 0; }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; font-size: 13px; color: var(--muted); }
.level { font-weight: 700; text-transform: uppercase; font-size: 12px; padding: 2px 6px; border-radius: 4px; background: #eceff3; }
.level-high, .level-critical { background: #fbe3e0; color: var(--risk); }
.level-medium { background: #fff1c2; color: var(--flag-ink); }
ol.stages { list-style: none; display: flex; flex-wrap: wrap; gap: 6px; padding: 0; margin: 6px 0; }
ol.stages li { padding: 3px 9px; border-radius: 12px; font-size: 13px; border: 1px solid var(--line); color: var(--muted); }
ol.stages li.reached { background: #fbe3e0; border-color: #f1b7af; color: var(--risk); font-weight: 600; }
.risk-chart { max-width: 100%; height: auto; background: #fbfbfc; border: 1px solid var(--line); border-radius: 6px; }
.risk-chart .risk { fill: none; stroke: var(--risk); stroke-width: 2; }
.risk-chart .grid { stroke: #e6e8ee; }
.risk-chart .threshold { stroke: #888; stroke-dasharray: 4 4; }
.risk-chart .flag { stroke: var(--flag-ink); stroke-width: 2; }
.risk-chart .axis { font-size: 11px; fill: var(--muted); }
ul.messages { list-style: none; padding: 0; margin: 0; }
ul.messages li { padding: 6px 8px; border-bottom: 1px solid #eef0f3; }
ul.messages li.flagged { background: #fffaf0; }
.meta { font-size: 12px; color: var(--muted); }
.sender { font-weight: 600; }
.text { white-space: pre-wrap; overflow-wrap: anywhere; }
mark { background: var(--flag); color: inherit; border-bottom: 2px solid #e0a800; padding: 0 1px; }
.signals { font-size: 12px; color: var(--flag-ink); }
.media { display: inline-block; font-size: 12px; padding: 1px 6px; border: 1px dashed #aab; border-radius: 4px; color: var(--muted); }
details summary { cursor: pointer; color: #2c5aa0; margin: 8px 0; }
footer { color: var(--muted); font-size: 13px; margin: 32px 0 8px; }
`;

function messageItem(m: TimelineMessage, flaggedClass: boolean): string {
  const spans = m.signals.map((s) => ({
    start: s.start,
    end: s.end,
    label: `${kindLabel(s.kind)}${s.stage ? ` (${STAGE_NAMES[s.stage]})` : ''}`,
  }));
  const media = m.attachments.map((kind) => `<span class="media">[${escapeHtml(kind)} not shown]</span>`).join(' ');
  const reasons = m.signals.length
    ? `<div class="signals">${[...new Set(m.signals.map((s) => `${kindLabel(s.kind)}${s.stage ? ` · stage: ${STAGE_NAMES[s.stage]}` : ''}`))].map(escapeHtml).join('; ')}</div>`
    : '';
  return (
    `<li class="${flaggedClass && m.signals.length ? 'flagged' : ''}" data-message-id="${escapeHtml(m.id)}">` +
    `<div class="meta">${escapeHtml(when(m.time))} · <span class="sender">${escapeHtml(m.sender)}</span> · risk after: ${m.scoreAfter.toFixed(2)}</div>` +
    `<div class="text">${highlight(m.text, spans)}${media ? ` ${media}` : ''}</div>${reasons}</li>`
  );
}

function participantsTable(c: ReportConversation, declared: Map<string, number>): string {
  const r = c.report;
  const rows = r.participants
    .map((p) => {
      const role =
        p.userId === r.suspectId
          ? 'risk comes from their messages'
          : p.userId === r.targetId
            ? 'risk is directed at them'
            : '';
      const age =
        p.age === null
          ? 'unknown'
          : `${p.age} (${declared.has(p.userId) ? 'declared with --age' : p.ageSource === 'disclosed' ? 'said in the chat' : p.ageSource})`;
      return `<tr><td>${escapeHtml(p.userId)}</td><td>${escapeHtml(age)}</td><td>${p.messageCount}</td><td>${escapeHtml(role)}</td></tr>`;
    })
    .join('');
  return `<table class="participants"><thead><tr><th>Participant</th><th>Age</th><th>Messages</th><th>Role in the score</th></tr></thead><tbody>${rows}</tbody></table>`;
}

function conversationSection(
  c: ReportConversation,
  index: number,
  data: ReportData,
  declared: Map<string, number>,
): string {
  const r = c.report;
  const reached = new Set(r.stagesReached);
  const stages = GROOMING_STAGES.map(
    (s) => `<li class="${reached.has(s) ? 'reached' : ''}">${escapeHtml(STAGE_NAMES[s])}</li>`,
  ).join('');
  const flagged = c.messages.filter((m) => m.signals.length > 0);
  const sx = (['leverage', 'threat', 'payment', 'deadline'] as const).filter((k) => r.sextortion[k]);
  const chart = riskChart(c.risk, {
    threshold: data.minScore,
    flagged: flagged.map((m) => m.time),
    label: `Risk over time in ${r.conversationId}`,
  });
  return (
    `<section class="conversation" id="c${index}" data-conversation-id="${escapeHtml(r.conversationId)}">` +
    `<h2>${index}. ${escapeHtml(r.conversationId)}</h2>` +
    `<p><span class="level level-${r.level}">${r.level}</span> score <strong class="score">${r.score.toFixed(2)}</strong>` +
    `${r.score < data.minScore ? ' <span class="muted">(below the review threshold)</span>' : ''} · ${plural(r.messageCount, 'message')} · ${escapeHtml(when(r.firstAt))} to ${escapeHtml(when(r.lastAt))}</p>` +
    `<h3>Participants</h3>${participantsTable(c, declared)}` +
    `<h3>Grooming stages</h3><ol class="stages" aria-label="grooming stages reached">${stages}</ol>` +
    (sx.length ? `<p>Sextortion pattern: ${escapeHtml(sx.join(', '))}</p>` : '') +
    (r.reasons.length
      ? `<h3>Why it scores</h3><ul class="reasons">${r.reasons.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`
      : '') +
    `<h3>Risk over time</h3>${chart}<p class="meta">Conversation score after each message; dashed line: review threshold ${data.minScore}; ticks: flagged messages.</p>` +
    `<h3>Flagged messages (${c.flaggedCount})</h3>` +
    (flagged.length
      ? `<ul class="messages flagged-messages">${flagged.map((m) => messageItem(m, false)).join('')}</ul>`
      : '<p class="muted">No message carries a signal.</p>') +
    `<details class="timeline"><summary>Timeline: all ${plural(c.messages.length, 'message')}${c.omitted ? ` kept (${c.omitted} unflagged left out: too many for one report)` : ''}</summary>` +
    `<ul class="messages">${c.messages.map((m) => messageItem(m, true)).join('')}</ul></details>` +
    `</section>`
  );
}

export function renderReport(data: ReportData): string {
  const declared = new Map(data.declaredAges);
  const shown = data.conversations.slice(0, data.limit);
  const overview = data.conversations
    .map((c, i) => {
      const r = c.report;
      const name =
        i < data.limit ? `<a href="#c${i + 1}">${escapeHtml(r.conversationId)}</a>` : escapeHtml(r.conversationId);
      return `<tr><td>${name}</td><td>${r.score.toFixed(2)} <span class="level level-${r.level}">${r.level}</span></td><td>${escapeHtml(r.stage ? STAGE_NAMES[r.stage] : '—')}</td><td>${r.messageCount}</td><td>${c.flaggedCount}</td><td>${escapeHtml(when(r.firstAt))} – ${escapeHtml(when(r.lastAt))}</td></tr>`;
    })
    .join('');
  const s = data.stats;
  const problems = data.issueCount
    ? `<details class="issues"><summary>Input problems: ${plural(s.skipped, 'record')} skipped, ${plural(s.warnings, 'warning')}</summary><pre>${escapeHtml(data.issues.slice(0, 200).join('\n'))}${data.issueCount > 200 ? '\n…' : ''}</pre></details>`
    : '';
  const ages = data.declaredAges.length
    ? `<p>Ages declared by the person who ran the report: ${data.declaredAges.map(([n, a]) => `${escapeHtml(n)} = ${a}`).join(', ')}. The export itself gives no ages.</p>`
    : '<p class="muted">No ages were declared (<code>--age NAME=13</code>); ages come only from what people wrote.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="referrer" content="no-referrer"><meta name="robots" content="noindex">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Lifeguard triage report: ${escapeHtml(data.file)}</title><style>${CSS}</style></head>
<body><header class="top"><div><h1>Lifeguard triage report</h1>
<div class="muted">${escapeHtml(data.file)} · <span class="layout">${escapeHtml(data.detail ?? `${data.format ?? 'unknown'} layout`)}</span> · generated ${escapeHtml(when(data.generatedAt))} UTC</div></div></header>
<main>
<p class="notice">A score is a reason for a trained person to read the conversation, never a verdict and never a report by itself. Media is never shown or embedded in this file: attachments appear as placeholders. Handle this file as sensitive.</p>
${data.fatal ? `<p class="notice stopped">Reading stopped early: ${escapeHtml(data.fatal)}. Everything below covers what was read before that.</p>` : ''}
<p>${plural(s.events, 'message')} read in ${plural(data.conversations.length, 'conversation')}.</p>
${ages}${problems}
<h2>Conversations</h2>
<table class="overview"><thead><tr><th>Conversation</th><th>Score</th><th>Furthest stage</th><th>Messages</th><th>Flagged</th><th>Time span (UTC)</th></tr></thead><tbody>${overview}</tbody></table>
${data.conversations.length > data.limit ? `<p class="muted">Only the ${data.limit} highest-scoring conversations are shown in full (--limit).</p>` : ''}
${shown.map((c, i) => conversationSection(c, i + 1, data, declared)).join('\n')}
<footer>Made by Lifeguard. Times are UTC${data.format === 'whatsapp' ? " (WhatsApp exports carry the phone's clock without a zone)" : ''}.</footer>
</main></body></html>
`;
}
