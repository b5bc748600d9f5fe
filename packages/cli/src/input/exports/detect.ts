// Works out which app an export came from, by file names first (cheap) and then by the shape of
// the JSON or the first lines of the text, and parses it.
import { UnusableInputError, type ExportLayout } from '../types.ts';
import { parseDiscord, looksLikeDiscord } from './discord.ts';
import type { ExportFile, ExportFiles } from './files.ts';
import { LAYOUT_NAMES, type ExportConversation, type IssueSink, type ParsedExport } from './model.ts';
import { looksLikeMeta, META_THREAD_FILE, metaService, parseMetaThread, type MetaThreadPart } from './meta.ts';
import { looksLikeSnapchat, parseSnapchat, SNAPCHAT_OWNER } from './snapchat.ts';
import { looksLikeTelegram, parseTelegram } from './telegram.ts';
import { decodeStrict, parseJsonWithLines, type JsonDocument } from './text.ts';
import { decodeWhatsAppLines, looksLikeWhatsApp, parseWhatsApp, whatsAppTitle } from './whatsapp.ts';

const KNOWN =
  'a WhatsApp "Export chat" .txt or .zip, DiscordChatExporter JSON, Instagram/Facebook messages/inbox/*/message_*.json, ' +
  'Telegram Desktop result.json or Snapchat chat_history.json';

/** Which JSON layout a parsed document has, or null. Meta first: its threads also have "messages". */
export function jsonLayout(value: unknown): ExportLayout | null {
  if (looksLikeMeta(value)) return 'meta';
  if (looksLikeDiscord(value)) return 'discord';
  if (looksLikeTelegram(value)) return 'telegram';
  if (looksLikeSnapchat(value)) return 'snapchat';
  return null;
}

function topKeys(value: unknown): string {
  if (typeof value !== 'object' || value === null) return `a JSON ${Array.isArray(value) ? 'array' : typeof value}`;
  if (Array.isArray(value)) return 'a JSON array';
  const keys = Object.keys(value).slice(0, 8);
  return keys.length ? `top-level keys: ${keys.join(', ')}` : 'an empty JSON object';
}

async function readJson(file: ExportFile): Promise<JsonDocument> {
  return parseJsonWithLines(decodeStrict(await file.read(), file.label), file.label);
}

/** One file at a time: a zip is read through one handle, and its size budget is counted in order. */
async function readAllJson(files: ExportFile[]): Promise<{ file: ExportFile; doc: JsonDocument }[]> {
  const out: { file: ExportFile; doc: JsonDocument }[] = [];
  for (const file of files) out.push({ file, doc: await readJson(file) });
  return out;
}

const lower = (f: ExportFile) => f.path.toLowerCase();
const baseName = (f: ExportFile) => lower(f).replace(/^.*\//, '');

/** Parses the export in `files`; `forced` restricts it to one layout (--format). */
export async function parseExport(
  files: ExportFiles,
  issue: IssueSink,
  forced: ExportLayout | null,
): Promise<ParsedExport> {
  const allowed = (layout: ExportLayout) => forced === null || forced === layout;

  // A single file: its content decides.
  if (files.kind === 'file') {
    const file = files.files[0]!;
    const bytes = await file.read();
    const head = new TextDecoder().decode(bytes.subarray(0, 64 * 1024));
    if ((forced === null && looksLikeWhatsApp(head)) || forced === 'whatsapp') {
      return whatsapp([{ file, bytes }], issue);
    }
    const first = head.replace(/^\uFEFF/, '').trimStart()[0];
    if (first !== '{' && first !== '[') {
      throw new UnusableInputError(
        forced
          ? `${file.label}:1: not ${LAYOUT_NAMES[forced]}`
          : `${file.label}:1: cannot tell the layout (expected JSONL events, PAN XML, or ${KNOWN}); use --format jsonl|pan|whatsapp|discord|meta|telegram|snapchat`,
      );
    }
    const doc = parseJsonWithLines(decodeStrict(bytes, file.label), file.label);
    const layout = jsonLayout(doc.value);
    if (layout === null || !allowed(layout)) {
      throw new UnusableInputError(
        `${file.label}:1: JSON, but not ${forced ? LAYOUT_NAMES[forced] : 'a chat export layout Lifeguard knows'} (${topKeys(doc.value)}); expected ${KNOWN}`,
      );
    }
    return fromJson(layout, [{ file, doc }], issue);
  }

  // A folder or zip: file names point at the layout without reading everything.
  const metaFiles = files.files.filter((f) => META_THREAD_FILE.test(lower(f)));
  if (metaFiles.length > 0 && allowed('meta')) {
    return fromJson('meta', await readAllJson(metaFiles), issue);
  }
  const telegram = files.files.filter((f) => baseName(f) === 'result.json');
  if (telegram.length > 0 && allowed('telegram')) {
    return fromJson('telegram', await readAllJson(telegram), issue);
  }
  const snapchat = files.files.filter((f) => baseName(f) === 'chat_history.json');
  if (snapchat.length > 0 && allowed('snapchat')) {
    return fromJson('snapchat', await readAllJson(snapchat), issue);
  }
  if (
    allowed('snapchat') &&
    files.files.some((f) => /(^|\/)chat_history\/.*\.html$|(^|\/)chat_history\.html$/.test(lower(f)))
  ) {
    throw new UnusableInputError(
      `${files.label}: a Snapchat "My Data" export in HTML only; request it again with "Export JSON files" ticked`,
    );
  }
  if (allowed('meta') && files.files.some((f) => /(^|\/)messages\/inbox\/[^/]+\/message_\d+\.html$/.test(lower(f)))) {
    throw new UnusableInputError(
      `${files.label}: Instagram/Facebook messages in HTML only; download your information again in the JSON format`,
    );
  }
  if (allowed('whatsapp')) {
    const texts = files.files.filter((f) => lower(f).endsWith('.txt'));
    // Each file is decompressed once: the bytes read to recognise it are the ones parsed.
    const chats: { file: ExportFile; bytes: Uint8Array }[] = [];
    for (const file of texts) {
      const bytes = await file.read();
      if (looksLikeWhatsApp(new TextDecoder().decode(bytes.subarray(0, 64 * 1024)))) chats.push({ file, bytes });
    }
    if (chats.length > 0) return whatsapp(chats, issue, files.label);
  }
  const jsons = files.files.filter((f) => lower(f).endsWith('.json')).slice(0, 1000);
  const found: { file: ExportFile; doc: JsonDocument }[] = [];
  let layout: ExportLayout | null = null;
  for (const file of jsons) {
    let doc: JsonDocument;
    try {
      doc = await readJson(file);
    } catch (error) {
      if (!(error instanceof UnusableInputError)) throw error;
      // A JSON file that cannot be read is not necessarily part of the chats: noted, and passed over.
      const rest = error.message.startsWith(`${file.label}:`)
        ? error.message.slice(file.label.length + 1)
        : error.message;
      const at = /^(\d+): ([\s\S]*)$/.exec(rest);
      issue(file.label, at ? Number(at[1]) : 0, `${(at ? at[2]! : rest).trim()}; file ignored`, 'warning');
      continue;
    }
    const which = jsonLayout(doc.value);
    if (which === null || !allowed(which)) continue;
    if (layout !== null && which !== layout) {
      issue(
        file.label,
        1,
        `${LAYOUT_NAMES[which]}, but this export is read as ${LAYOUT_NAMES[layout]}; file ignored`,
        'warning',
      );
      continue;
    }
    layout = which;
    found.push({ file, doc });
  }
  if (layout !== null) return fromJson(layout, found, issue);
  const sample = files.files
    .slice(0, 5)
    .map((f) => f.path)
    .join(', ');
  if (forced) {
    throw new UnusableInputError(
      `${files.label}: no ${LAYOUT_NAMES[forced]} found in it (${files.files.length} files${sample ? `: ${sample}${files.files.length > 5 ? ', …' : ''}` : ''})`,
    );
  }
  throw new UnusableInputError(
    `${files.label}: no chat export layout Lifeguard knows in this ${files.kind === 'zip' ? 'zip' : 'folder'} ` +
      `(${files.files.length} files${sample ? `: ${sample}${files.files.length > 5 ? ', …' : ''}` : ''}); expected ${KNOWN}`,
  );
}

function whatsapp(
  chats: { file: ExportFile; bytes: Uint8Array }[],
  issue: IssueSink,
  container: string | null = null,
): ParsedExport {
  const conversations: ExportConversation[] = [];
  let records = 0;
  let systemLines = 0;
  let ios = 0;
  const orders = new Set<string>();
  for (const { file, bytes } of chats) {
    const lines = decodeWhatsAppLines(bytes, file.label, issue);
    // iOS names the file _chat.txt: the folder or zip around it ("WhatsApp Chat - Sam.zip") says who it is with.
    const parent = file.path.includes('/') ? file.path.replace(/\/[^/]*$/, '') : container;
    const name = baseName(file) === '_chat.txt' && parent ? parent.replace(/[\\/]+$/, '') : file.path;
    const result = parseWhatsApp(lines, file.label, whatsAppTitle(name), issue);
    conversations.push(result.conversation);
    records += result.records;
    systemLines += result.systemLines;
    if (result.ios) ios++;
    orders.add(
      result.order === 'dmy' ? 'day/month/year' : result.order === 'mdy' ? 'month/day/year' : 'year/month/day',
    );
  }
  const platform = ios === chats.length ? 'iOS' : ios === 0 ? 'Android' : 'iOS and Android';
  const detail = `${LAYOUT_NAMES.whatsapp} (${platform}), dates ${[...orders].join(' and ')}, ${chats.length} chat${chats.length === 1 ? '' : 's'}; times are the phone's clock, shown as UTC`;
  return { layout: 'whatsapp', detail, conversations, records, systemLines };
}

function fromJson(
  layout: ExportLayout,
  docs: { file: ExportFile; doc: JsonDocument }[],
  issue: IssueSink,
): ParsedExport {
  const conversations: ExportConversation[] = [];
  let records = 0;
  let systemLines = 0;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  switch (layout) {
    case 'discord': {
      for (const { file, doc } of docs) {
        const r = parseDiscord(doc, file.label, issue);
        conversations.push(r.conversation);
        records += r.records;
        systemLines += r.systemLines;
      }
      return {
        layout,
        detail: `${LAYOUT_NAMES.discord}, ${plural(conversations.length, 'channel')}`,
        conversations,
        records,
        systemLines,
      };
    }
    case 'meta': {
      const threads = new Map<string, MetaThreadPart[]>();
      const services = new Set<string>();
      for (const { file, doc } of docs) {
        if (!looksLikeMeta(doc.value)) {
          issue(
            file.label,
            1,
            `not an Instagram/Facebook message file (${topKeys(doc.value)}); file ignored`,
            'warning',
          );
          continue;
        }
        const part = parseMetaThread(doc, file.path, file.label, issue);
        const service = metaService(file.label);
        if (service) services.add(service);
        records += part.records;
        systemLines += part.systemLines;
        threads.set(part.key, [...(threads.get(part.key) ?? []), part]);
      }
      for (const [key, parts] of threads) {
        const participants = [...new Set(parts.flatMap((p) => p.participants))];
        const messages = parts.flatMap((p) => p.messages);
        for (const m of messages) if (!participants.includes(m.sender)) participants.push(m.sender);
        conversations.push({ id: `meta:${key}`, title: parts[0]!.title, participants, messages });
      }
      const which = services.size === 1 ? [...services][0]! : 'Instagram/Facebook';
      const detail = `${which} "Download your information" messages (JSON), ${plural(conversations.length, 'thread')}; mis-encoded UTF-8 repaired`;
      return { layout, detail, conversations, records, systemLines };
    }
    case 'telegram': {
      let localTimes = false;
      for (const { file, doc } of docs) {
        const r = parseTelegram(doc, file.label, issue);
        conversations.push(...r.conversations);
        records += r.records;
        systemLines += r.systemLines;
        localTimes ||= r.localTimes;
      }
      const detail = `${LAYOUT_NAMES.telegram}, ${plural(conversations.length, 'chat')}${localTimes ? "; times without date_unixtime are the computer's clock, shown as UTC" : ''}`;
      return { layout, detail, conversations, records, systemLines };
    }
    case 'snapchat': {
      let older = false;
      for (const { file, doc } of docs) {
        const r = parseSnapchat(doc, file.label, issue);
        conversations.push(...r.conversations);
        records += r.records;
        systemLines += r.systemLines;
        older ||= r.older;
      }
      const detail = `${LAYOUT_NAMES.snapchat}, ${plural(conversations.length, 'chat')}${older ? `; older "Saved Chat History" shape: the account owner appears as "${SNAPCHAT_OWNER}"` : ''}`;
      return { layout, detail, conversations, records, systemLines };
    }
    case 'whatsapp':
      throw new Error('WhatsApp exports are text, not JSON');
  }
}
