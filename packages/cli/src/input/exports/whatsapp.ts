// WhatsApp "Export chat" text. One message per dated line, continued on following undated lines:
//   Android  31/12/2020, 21:05 - Alice: text          12/31/20, 9:05 PM - Alice: text
//   iOS      [31/12/2020, 21:05:33] Alice: text       [12/31/20, 9:05:33 PM] Alice: text
// The date order (day or month first) follows the phone's locale and is not written down: it is
// worked out from the whole file (a first number over 12 can only be a day). Times are the phone's
// clock without a zone; they are read as UTC.
import type { AttachmentKind, ExportConversation, ExportMessage, IssueSink } from './model.ts';
import { firstInvalidUtf8, hasUtf16Bom } from './text.ts';

const SP = '[ \\u202f\\u00a0]';
const DATE = String.raw`(\d{1,4})([./-])(\d{1,2})\2(\d{1,4})\.?`;
const CLOCK = String.raw`(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?(?:${SP}?([AaPp])\.?${SP}?[Mm]\.?)?`;
const ANDROID = new RegExp(`^${DATE},?${SP}${CLOCK}${SP}?[-–]${SP}([\\s\\S]*)$`);
const IOS = new RegExp(`^\\[${DATE},?${SP}${CLOCK}\\]${SP}?([\\s\\S]*)$`);
const BIDI = /^[\u200e\u200f\u202a-\u202e\u2066-\u2069]+/;

/** "<Media omitted>" as Android writes it in some locales (without the media). */
const MEDIA_OMITTED = new Set([
  '<media omitted>',
  '<medien ausgeschlossen>',
  '<multimedia omitido>',
  '<médias omis>',
  '<mídia oculta>',
  '<media weggelaten>',
  '<media omessi>',
  '<media pominięte>',
  '<медиафайлы не включены>',
]);
const IOS_OMITTED = /^(image|video|audio|sticker|GIF|document|Contact card|photo) omitted$/i;
const IOS_ATTACHED = /^<attached: [^>]*?-(PHOTO|VIDEO|AUDIO|STICKER|GIF|[A-Z]+)-[^>]*>$/;
const ANDROID_ATTACHED =
  /^(\S.*?\.(\w{1,5})) \((?:file attached|Datei angehängt|archivo adjunto|fichier joint|arquivo anexado)\)$/i;

const EXT_KIND: Record<string, AttachmentKind> = {
  jpg: 'image',
  jpeg: 'image',
  png: 'image',
  webp: 'image',
  gif: 'image',
  heic: 'image',
  mp4: 'video',
  mov: 'video',
  '3gp': 'video',
  opus: 'audio',
  ogg: 'audio',
  m4a: 'audio',
  mp3: 'audio',
  aac: 'audio',
};

interface Header {
  line: number;
  ios: boolean;
  a: number;
  aDigits: number;
  b: number;
  c: number;
  hour: number;
  minute: number;
  second: number;
  ampm: 'a' | 'p' | null;
  body: string;
  clock: string;
}

function matchHeader(text: string, line: number): Header | null {
  const stripped = text.replace(BIDI, '');
  const ios = IOS.exec(stripped);
  const m = ios ?? ANDROID.exec(stripped);
  if (!m) return null;
  return {
    line,
    ios: ios !== null,
    a: Number(m[1]),
    aDigits: m[1]!.length,
    b: Number(m[3]),
    c: Number(m[4]),
    hour: Number(m[5]),
    minute: Number(m[6]),
    second: Number(m[7] ?? 0),
    ampm: m[8] ? (m[8].toLowerCase() as 'a' | 'p') : null,
    body: m[9]!,
    clock: stripped.slice(0, stripped.length - m[9]!.length).trim(),
  };
}

/** True when the text starts like a WhatsApp export (one of the first non-blank lines is dated). */
export function looksLikeWhatsApp(text: string): boolean {
  const lines = text
    .replace(/^\uFEFF/, '')
    .split('\n', 40)
    .filter((l) => l.trim() !== '')
    .slice(0, 5);
  return lines.some((l, i) => matchHeader(l.replace(/\r$/, ''), i + 1) !== null);
}

export interface DecodedLines {
  lines: string[];
}

/**
 * Splits the export into lines. WhatsApp writes UTF-8; a line that is not (a file pasted together
 * from several sources) is read as Windows-1252 and reported, so its message is not lost.
 */
export function decodeWhatsAppLines(bytes: Uint8Array, file: string, issue: IssueSink): string[] {
  const bom = hasUtf16Bom(bytes);
  if (bom) {
    const all = new TextDecoder(bom)
      .decode(bytes)
      .split('\n')
      .map((l) => l.replace(/\r$/, ''));
    if (all[all.length - 1] === '') all.pop();
    return all;
  }
  const strict = new TextDecoder('utf-8', { fatal: true });
  const latin = new TextDecoder('windows-1252');
  const lines: string[] = [];
  let start = 0;
  let n = 1;
  while (start <= bytes.length) {
    let end = bytes.indexOf(0x0a, start);
    if (end === -1) end = bytes.length;
    const raw = bytes.subarray(start, end);
    let text: string;
    if (firstInvalidUtf8(raw) === -1) text = strict.decode(raw);
    else {
      text = latin.decode(raw);
      issue(
        file,
        n,
        'not UTF-8: the file mixes text encodings; this line was read as Windows-1252 (check its accents)',
        'warning',
      );
    }
    if (n === 1) text = text.replace(/^\uFEFF/, '');
    lines.push(text.replace(/\r$/, ''));
    start = end + 1;
    n++;
  }
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

type DateOrder = 'dmy' | 'mdy' | 'ymd';

function dateOrder(headers: Header[]): DateOrder {
  if (headers.some((h) => h.aDigits === 4)) return 'ymd';
  if (headers.some((h) => h.a > 12)) return 'dmy';
  if (headers.some((h) => h.b > 12)) return 'mdy';
  // No telling from the numbers: 12-hour clocks go with month-first (US) far more often.
  return headers.some((h) => h.ampm !== null) ? 'mdy' : 'dmy';
}

function timeOf(h: Header, order: DateOrder): number | null {
  const [y, mo, d] = order === 'ymd' ? [h.a, h.b, h.c] : order === 'dmy' ? [h.c, h.b, h.a] : [h.c, h.a, h.b];
  const year = y < 100 ? 2000 + y : y;
  let hour = h.hour;
  if (h.ampm) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (h.ampm === 'p' ? 12 : 0);
  }
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || hour > 23 || h.minute > 59 || h.second > 59 || year < 1970) return null;
  const t = Date.UTC(year, mo - 1, d, hour, h.minute, h.second);
  return new Date(t).getUTCDate() === d ? t : null;
}

function media(text: string, ios: boolean): { kind: AttachmentKind; caption: string } | null {
  const first = text.split('\n', 1)[0]!.replace(BIDI, '').trim();
  const rest = text.slice(text.indexOf('\n') === -1 ? text.length : text.indexOf('\n') + 1);
  if (MEDIA_OMITTED.has(first.toLowerCase())) return { kind: 'file', caption: rest };
  const omitted = IOS_OMITTED.exec(first);
  if (omitted) {
    const what = omitted[1]!.toLowerCase();
    const kind: AttachmentKind =
      what === 'video'
        ? 'video'
        : what === 'audio'
          ? 'audio'
          : what === 'document' || what === 'contact card'
            ? 'file'
            : 'image';
    return { kind, caption: rest };
  }
  const attached = IOS_ATTACHED.exec(first);
  if (attached) {
    const tag = attached[1]!;
    const kind: AttachmentKind =
      tag === 'PHOTO' || tag === 'STICKER' || tag === 'GIF'
        ? 'image'
        : tag === 'VIDEO'
          ? 'video'
          : tag === 'AUDIO'
            ? 'audio'
            : 'file';
    return { kind, caption: rest };
  }
  if (!ios) {
    const file = ANDROID_ATTACHED.exec(first);
    if (file) return { kind: EXT_KIND[file[2]!.toLowerCase()] ?? 'file', caption: rest };
  }
  return null;
}

/** The chat's name from the export's file name ("WhatsApp Chat with Sam.txt" → "Sam"). */
export function whatsAppTitle(fileName: string): string {
  const base = fileName
    .replace(/^.*[\\/]/, '')
    .replace(/\.(txt|zip)$/i, '')
    .trim();
  const m =
    /^(?:WhatsApp[- ]Chat (?:with|mit|met|con)|WhatsApp Chat -|Chat de WhatsApp con|Discussion WhatsApp avec|Conversa do WhatsApp com)\s*(.+)$/i.exec(
      base,
    );
  return (m ? m[1]! : base).trim() || 'WhatsApp chat';
}

export interface WhatsAppResult {
  conversation: ExportConversation;
  ios: boolean;
  order: DateOrder;
  records: number;
  systemLines: number;
}

export function parseWhatsApp(lines: string[], file: string, title: string, issue: IssueSink): WhatsAppResult {
  const headers: Header[] = [];
  /** Per header index, the continuation lines that follow it. */
  const bodies: string[][] = [];
  let leading = 0;
  lines.forEach((text, i) => {
    const header = matchHeader(text, i + 1);
    if (header) {
      headers.push(header);
      bodies.push([header.body]);
    } else if (bodies.length > 0) bodies[bodies.length - 1]!.push(text);
    else if (text.trim() !== '') {
      leading++;
      issue(file, i + 1, 'text before the first dated message line; ignored');
    }
  });
  const order = dateOrder(headers);
  const ios = headers.filter((h) => h.ios).length * 2 > headers.length;
  const id = `whatsapp:${title}`;
  const messages: ExportMessage[] = [];
  const senders: string[] = [];
  let systemLines = 0;
  let lastTime: number | null = null;
  headers.forEach((h, index) => {
    const text = bodies[index]!.join('\n').replace(/\n+$/, '');
    let time = timeOf(h, order);
    if (time === null) {
      if (lastTime === null) {
        issue(file, h.line, `"${h.clock}" is not a date and time the export could mean; message skipped`);
        return;
      }
      issue(
        file,
        h.line,
        `"${h.clock}" is not a date and time the export could mean; using the previous message's time`,
        'warning',
      );
      time = lastTime;
    }
    lastTime = time;
    const colon = text.indexOf(': ');
    const name = colon > 0 ? text.slice(0, colon).replace(BIDI, '').trim() : '';
    // "Alice changed the subject to "a: b"" is a system line, not Alice saying something.
    if (name === '' || name.length > 80 || /["“”«»]/.test(name) || name.includes('\n')) {
      systemLines++;
      return;
    }
    // Newer exports append "<This message was edited>" (in the phone's language): not part of what was said.
    const said = text
      .slice(colon + 2)
      .replace(
        /\s*<(?:This message was edited|Diese Nachricht wurde bearbeitet|Se editó este mensaje\.?|Ce message a été modifié|Essa mensagem foi editada)>$/,
        '',
      );
    const found = media(said, h.ios);
    if (!found && h.ios && BIDI.test(said)) {
      // iOS marks its own notices (encryption, deleted messages, calls) with U+200E.
      systemLines++;
      return;
    }
    if (!senders.includes(name)) senders.push(name);
    messages.push({
      id: `${id}:${h.line}`,
      time,
      sender: name,
      text: found ? found.caption.trim() : said,
      attachments: found ? [found.kind] : [],
      file,
      line: h.line,
    });
  });
  return {
    conversation: { id, title, participants: senders, messages },
    ios,
    order,
    records: headers.length + leading,
    systemLines,
  };
}
