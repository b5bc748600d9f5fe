// Loads the benign chat corpora in ../shared/corpora (see corpora/SOURCE.md) as Lifeguard events,
// for the detection benchmark and the false-positive measurement in docs/evaluation.md.
//
// IRC logs are channels, not private chats. Two ways to cut them into conversations:
//  - 'pairs' (the default): a message that starts by naming another speaker ("alice: try this")
//    belongs to the conversation of those two people; an unaddressed message from someone who had
//    such an exchange in the last 5 minutes continues it. Everything else stays in one leftover
//    channel conversation per log file. Pair conversations are the closest thing to 1:1 direct
//    messages, which is what the engine is built for.
//  - 'files': each log file is one many-party conversation.
// Topical-Chat conversations are already 1:1; each agent is a separate user per conversation.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEvent, type MessageEvent } from '@lifeguard/core';

export type IrcMode = 'pairs' | 'files';

const repoRoot = new URL('..', import.meta.url).pathname;

/** ../shared/corpora from the repository root, or $LIFEGUARD_CORPORA; null when absent. */
export function corporaRoot(): string | null {
  const candidates = [process.env.LIFEGUARD_CORPORA, join(repoRoot, '..', 'shared', 'corpora')].filter(
    (p): p is string => !!p,
  );
  return candidates.find((p) => existsSync(join(p, 'irc')) || existsSync(join(p, 'topical-chat'))) ?? null;
}

export interface IrcLine {
  /** Minutes (and seconds) since midnight, as printed in the log. */
  clockSeconds: number;
  date: string | null;
  nick: string;
  text: string;
}

export interface IrcLog {
  /** Short stable name, e.g. "irc/train/2005-02-08.train-a". */
  key: string;
  channel: string;
  /** Date of the log, from its name or lines; null if unknown. */
  date: string | null;
  lines: IrcLine[];
}

const CLASSIC = /^\[(\d{2}):(\d{2})\] <([^>]{1,64})> ?(.*)$/s;
const DATED = /^(\S+) (\d{4}-\d{2}-\d{2}) \[(\d{2}):(\d{2})(?::(\d{2}))?\] <([^>]{1,64})> ?(.*)$/s;

/** Reads the IRC logs: train, dev and test (#ubuntu), channel-two (#linux; only the .all file, the others are subsets) and new-domains. */
export function loadIrc(corpora: string): IrcLog[] {
  const base = join(corpora, 'irc', 'data');
  if (!existsSync(base)) return [];
  const logs: IrcLog[] = [];
  const dirs: [string, (f: string) => boolean, string][] = [
    ['train', (f) => f.endsWith('.raw.txt'), 'ubuntu'],
    ['dev', (f) => f.endsWith('.raw.txt'), 'ubuntu'],
    ['test', (f) => f.endsWith('.raw.txt'), 'ubuntu'],
    ['channel-two', (f) => f === 'channel-two.all.raw.txt', 'linux'],
    ['new-domains', (f) => f.endsWith('.ascii.txt'), ''],
  ];
  for (const [dir, wanted, channel] of dirs) {
    const path = join(base, dir);
    if (!existsSync(path)) continue;
    for (const file of readdirSync(path).filter(wanted).sort()) {
      const name = file.replace(/\.(raw|ascii)\.txt$/, '');
      const dateFromName = /^(\d{4}-\d{2}-\d{2})/.exec(name)?.[1] ?? null;
      const lines: IrcLine[] = [];
      let logChannel = channel || name.replace(/\.\d+$/, '');
      for (const raw of readFileSync(join(path, file), 'utf8').split(/\r?\n/)) {
        const classic = CLASSIC.exec(raw);
        if (classic) {
          lines.push({
            clockSeconds: Number(classic[1]) * 3600 + Number(classic[2]) * 60,
            date: null,
            nick: classic[3]!,
            text: classic[4]!.trimEnd(),
          });
          continue;
        }
        const dated = DATED.exec(raw);
        if (dated) {
          logChannel = dated[1]!;
          lines.push({
            clockSeconds: Number(dated[3]) * 3600 + Number(dated[4]) * 60 + Number(dated[5] ?? 0),
            date: dated[2]!,
            nick: dated[6]!,
            text: dated[7]!.trimEnd(),
          });
        }
        // Joins, parts and /me actions are not messages between people; skipped.
      }
      logs.push({ key: `irc/${dir}/${name}`, channel: logChannel, date: dateFromName, lines });
    }
  }
  return logs;
}

export interface TopicalChatConversation {
  key: string;
  turns: { agent: string; text: string }[];
}

export function loadTopicalChat(corpora: string): TopicalChatConversation[] {
  const base = join(corpora, 'topical-chat', 'conversations');
  if (!existsSync(base)) return [];
  const out: TopicalChatConversation[] = [];
  for (const file of readdirSync(base)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const data = JSON.parse(readFileSync(join(base, file), 'utf8')) as Record<
      string,
      { content?: { message?: unknown; agent?: unknown }[] }
    >;
    for (const [key, conversation] of Object.entries(data)) {
      const turns = (conversation.content ?? [])
        .filter((t) => typeof t.message === 'string' && typeof t.agent === 'string')
        .map((t) => ({ agent: t.agent as string, text: t.message as string }));
      out.push({ key: `tc/${file.replace(/\.json$/, '')}/${key}`, turns });
    }
  }
  return out;
}

function validated(event: Omit<MessageEvent, 'type'> & { type: 'message' }): MessageEvent {
  const parsed = parseEvent(event);
  if (!parsed.ok) throw new Error(`corpus event ${event.id} is invalid: ${parsed.error.message}`);
  return parsed.event as MessageEvent;
}

const PAIR_CONTINUATION_SECONDS = 5 * 60;
const ADDRESS = /^([^\s:,]{1,40})[:,]\s/;

/** IRC logs as message events, in log order. Conversation ids start with "irc-pair:", "irc-channel:" or "irc-file:". */
export function ircEvents(logs: IrcLog[], mode: IrcMode = 'pairs'): MessageEvent[] {
  const events: MessageEvent[] = [];
  for (const log of logs) {
    const known = new Map<string, string>(); // lower-case nick -> nick as written
    const lastPartner = new Map<string, { partner: string; at: number }>();
    let day = 0;
    let lastClock = -1;
    let index = 0;
    for (const line of log.lines) {
      index++;
      const dateMs = Date.parse(`${line.date ?? log.date ?? '2008-01-01'}T00:00:00Z`);
      if (line.date === null) {
        if (lastClock >= 0 && line.clockSeconds < lastClock) day++;
        lastClock = line.clockSeconds;
      }
      const seconds = (line.date === null ? day * 86400 : 0) + line.clockSeconds;
      const time = dateMs + seconds * 1000 + (index % 60); // keep order inside a minute
      known.set(line.nick.toLowerCase(), line.nick);
      const userId = `irc:${line.nick}`;
      let conversationId: string;
      let recipients: string[] = [];
      if (mode === 'files') {
        conversationId = `irc-file:${log.key}`;
      } else {
        const named = ADDRESS.exec(line.text)?.[1];
        const addressee = named ? known.get(named.toLowerCase()) : undefined;
        let partner: string | undefined;
        if (addressee && addressee !== line.nick) {
          partner = addressee;
          lastPartner.set(line.nick, { partner, at: seconds });
          lastPartner.set(addressee, { partner: line.nick, at: seconds });
        } else {
          const recent = lastPartner.get(line.nick);
          if (recent && seconds - recent.at <= PAIR_CONTINUATION_SECONDS) partner = recent.partner;
        }
        if (partner) {
          const pair = [line.nick, partner].sort();
          conversationId = `irc-pair:${log.key}:${pair[0]}+${pair[1]}`;
          recipients = [`irc:${partner}`];
        } else {
          conversationId = `irc-channel:${log.key}`;
        }
      }
      events.push(
        validated({
          type: 'message',
          id: `${log.key}#${index}`,
          time,
          conversationId,
          senderId: userId,
          recipientIds: recipients,
          text: line.text,
        }),
      );
    }
  }
  return events;
}

/** Topical-Chat as message events; each conversation gets its own pair of users and a 20-second turn pace. */
export function topicalChatEvents(conversations: TopicalChatConversation[]): MessageEvent[] {
  const events: MessageEvent[] = [];
  const start = Date.UTC(2019, 0, 1);
  conversations.forEach((conversation, c) => {
    const base = start + c * 3_600_000;
    conversation.turns.forEach((turn, t) => {
      const sender = `${conversation.key}:${turn.agent}`;
      const other = `${conversation.key}:${turn.agent === 'agent_1' ? 'agent_2' : 'agent_1'}`;
      events.push(
        validated({
          type: 'message',
          id: `${conversation.key}#${t + 1}`,
          time: base + t * 20_000,
          conversationId: conversation.key,
          senderId: sender,
          recipientIds: [other],
          text: turn.text,
        }),
      );
    });
  });
  return events;
}

export interface CorpusEvents {
  root: string;
  irc: MessageEvent[];
  topicalChat: MessageEvent[];
}

/** Everything, or null when ../shared/corpora is absent. */
export function loadCorpusEvents(mode: IrcMode = 'pairs'): CorpusEvents | null {
  const root = corporaRoot();
  if (!root) return null;
  return { root, irc: ircEvents(loadIrc(root), mode), topicalChat: topicalChatEvents(loadTopicalChat(root)) };
}
