// Small chat exports written for the tests, in each app's layout. The conversation uses
// non-explicit grooming indicators only (age questions, flattery, secrecy, a platform move, a gift,
// a meeting) and a benign chat between two friends beside it.
import { crc32, deflateRawSync } from 'node:zlib';

export const ADULT = 'Rick J';
export const CHILD = 'Mia';
export const FRIEND = 'Zoë';

/** [minutes after the start, sender, text, media kind] */
export type Line = [number, string, string, ('image' | 'video' | 'audio')?];

export const GROOMING: Line[] = [
  [0, ADULT, 'hey saw ur drawing in the art group, ur really talented'],
  [1, CHILD, 'thanks :) who r u'],
  [2, ADULT, 'just a fan of ur art lol. how old r u?'],
  [3, CHILD, '13'],
  [4, ADULT, 'oh cool. im 34 but age is just a number right. ur so mature for 13'],
  [6, ADULT, 'do ur parents check ur phone?'],
  [7, CHILD, 'sometimes my mom does'],
  [8, ADULT, 'lets keep this between us ok? they wouldnt get it. delete our chat after'],
  [1350, ADULT, 'add me on snap its easier to talk there, im rick.j34'],
  [1352, ADULT, 'i can send u a $25 roblox gift card if u want'],
  [1353, CHILD, 'really? why'],
  [1354, ADULT, 'bc ur special. send me a pic of u so i know ur real'],
  [1360, CHILD, 'my dog', 'image'],
  [1361, ADULT, 'u know me now tho. dont tell anyone about this ok, its our secret'],
  [1365, ADULT, 'are u home alone after school?'],
  [1366, ADULT, 'we could meet at the mall saturday, i can pick u up. just tell ur mom ur at zoes'],
];

export const FRIENDS: Line[] = [
  [0, FRIEND, 'omg did u finish the science worksheet'],
  [1, CHILD, 'nope lol, café after school?'],
  [2, FRIEND, 'yes!! ☕ see u at 4'],
];

/** 2024-03-01 19:40 UTC */
export const START = Date.UTC(2024, 2, 1, 19, 40);
const at = (minutes: number) => new Date(START + minutes * 60_000);
const p2 = (n: number) => String(n).padStart(2, '0');

export type WhatsAppStyle = 'android-us' | 'android-gb' | 'android-de' | 'ios-gb' | 'ios-us';

function stamp(d: Date, style: WhatsAppStyle): string {
  const D = d.getUTCDate(),
    M = d.getUTCMonth() + 1,
    Y = d.getUTCFullYear(),
    h = d.getUTCHours(),
    m = d.getUTCMinutes(),
    s = d.getUTCSeconds();
  const h12 = `${h % 12 === 0 ? 12 : h % 12}:${p2(m)}`;
  const ampm = h < 12 ? 'AM' : 'PM';
  switch (style) {
    case 'android-us':
      return `${M}/${D}/${String(Y).slice(2)}, ${h12}\u202f${ampm} - `;
    case 'android-gb':
      return `${p2(D)}/${p2(M)}/${Y}, ${p2(h)}:${p2(m)} - `;
    case 'android-de':
      return `${p2(D)}.${p2(M)}.${String(Y).slice(2)}, ${p2(h)}:${p2(m)} - `;
    case 'ios-gb':
      return `[${p2(D)}/${p2(M)}/${Y}, ${p2(h)}:${p2(m)}:${p2(s)}] `;
    case 'ios-us':
      return `[${M}/${D}/${String(Y).slice(2)}, ${h12}:${p2(s)} ${ampm}] `;
  }
}

/** A WhatsApp export of `lines`, with the encryption notice first and one multi-line message. */
export function whatsapp(style: WhatsAppStyle, lines: Line[] = GROOMING): string {
  const ios = style.startsWith('ios');
  const out: string[] = [];
  out.push(
    ios
      ? `${stamp(at(-1), style)}${ADULT}: \u200eMessages and calls are end-to-end encrypted. No one outside of this chat can read them.`
      : `${stamp(at(-1), style)}Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.`,
  );
  for (const [minutes, from, text, media] of lines) {
    if (media) {
      const placeholder = ios
        ? `\u200e${media} omitted`
        : style === 'android-de'
          ? '<Medien ausgeschlossen>'
          : '<Media omitted>';
      out.push(`${stamp(at(minutes), style)}${from}: ${placeholder}`);
      out.push(`${stamp(at(minutes), style)}${from}: ${text}`);
    } else out.push(`${stamp(at(minutes), style)}${from}: ${text}`);
  }
  // A message over several lines, and a system line that contains ": ".
  out.push(`${stamp(at(1400), style)}${CHILD}: ok\nsee u there\nbye`);
  out.push(`${stamp(at(1401), style)}${CHILD} changed the group description to "art: club"`);
  return `${out.join('\n')}\n`;
}

export function discord(lines: Line[] = GROOMING): string {
  const ids: Record<string, string> = { [ADULT]: '1001', [CHILD]: '1002', [FRIEND]: '1003' };
  return JSON.stringify(
    {
      guild: { id: '0', name: 'Direct Messages', iconUrl: '' },
      channel: {
        id: '555',
        type: 'DirectTextChat',
        categoryId: null,
        category: 'Private',
        name: `${ADULT} & ${CHILD}`,
        topic: null,
      },
      dateRange: { after: null, before: null },
      exportedAt: '2024-03-05T10:00:00+00:00',
      messages: [
        {
          id: '900',
          type: 'RecipientAdd',
          timestamp: at(-2).toISOString().replace('Z', '+00:00'),
          content: 'Added a recipient.',
          author: { id: '1001', name: 'rickj' },
          attachments: [],
        },
        ...lines.map(([minutes, from, text, media], i) => ({
          id: String(1000 + i),
          type: 'Default',
          timestamp: at(minutes).toISOString().replace('Z', '+00:00'),
          timestampEdited: null,
          isPinned: false,
          content: text,
          author: { id: ids[from], name: from, discriminator: '0000', nickname: from, isBot: false },
          attachments: media
            ? [{ id: `a${i}`, url: `https://cdn.example/${i}.jpg`, fileName: 'dog.jpg', fileSizeBytes: 52000 }]
            : [],
          embeds: [],
          mentions: [],
        })),
      ],
      messageCount: lines.length + 1,
    },
    null,
    2,
  );
}

/** Meta's encoding: every UTF-8 byte written as the Latin-1 character of the same number. */
export function misencode(s: string): string {
  return Buffer.from(s, 'utf8').toString('latin1');
}

export function metaThread(lines: Line[], participants: string[], title: string, threadPath: string): string {
  // Newest first, as Meta writes it; JSON.stringify keeps Latin-1 characters, \u-escaped below like Meta's.
  const doc = {
    participants: participants.map((name) => ({ name: misencode(name) })),
    messages: [...lines].reverse().map(([minutes, from, text, media]) => ({
      sender_name: misencode(from),
      timestamp_ms: at(minutes).getTime(),
      ...(media
        ? { photos: [{ uri: 'your_instagram_activity/messages/inbox/x/photos/1.jpg', creation_timestamp: 0 }] }
        : { content: misencode(text) }),
      is_geoblocked_for_viewer: false,
    })),
    title: misencode(title),
    is_still_participant: true,
    thread_path: threadPath,
    magic_words: [],
  };
  return JSON.stringify(doc, null, 2).replace(/[\u0080-\u00ff]/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`);
}

export function telegram(): string {
  const message = ([minutes, from, text, media]: Line, i: number) => ({
    id: i + 1,
    type: 'message',
    date: at(minutes).toISOString().slice(0, 19),
    date_unixtime: String(Math.floor(at(minutes).getTime() / 1000)),
    from,
    from_id: `user${from === ADULT ? 1 : from === CHILD ? 2 : 3}`,
    // Telegram splits formatted text into pieces.
    text: text.includes('snap')
      ? ['add me on ', { type: 'bold', text: 'snap' }, text.slice(text.indexOf('snap') + 4)]
      : text,
    text_entities: [],
    ...(media ? { photo: 'photos/photo_1@01-03-2024_19-40-00.jpg', width: 800, height: 600 } : {}),
  });
  return JSON.stringify(
    {
      about: 'Here is the data you requested.',
      chats: {
        about: 'This page lists all chats from this export.',
        list: [
          {
            name: ADULT,
            type: 'personal_chat',
            id: 4001,
            messages: [
              { id: 0, type: 'service', date: at(-1).toISOString().slice(0, 19), actor: ADULT, action: 'phone_call' },
              ...GROOMING.map(message),
            ],
          },
          { name: FRIEND, type: 'personal_chat', id: 4002, messages: FRIENDS.map(message) },
        ],
      },
    },
    null,
    1,
  );
}

const snapTime = (minutes: number) => `${at(minutes).toISOString().slice(0, 19).replace('T', ' ')} UTC`;

export function snapchat(): string {
  const entry = ([minutes, from, text, media]: Line) => ({
    From: from === ADULT ? 'rickj34' : 'mia.draws',
    'Media Type': media ? 'MEDIA' : 'TEXT',
    Created: snapTime(minutes),
    Content: media ? null : text,
    'Conversation Title': null,
    IsSender: from === CHILD,
    'Created(microseconds)': at(minutes).getTime() * 1000,
  });
  return JSON.stringify({ rickj34: GROOMING.map(entry) }, null, 2);
}

export function snapchatOlder(): string {
  return JSON.stringify(
    {
      'Received Saved Chat History': GROOMING.filter(([, from]) => from === ADULT).map(([m, , text]) => ({
        From: 'rickj34',
        'Media Type': 'TEXT',
        Created: snapTime(m),
        Text: text,
      })),
      'Sent Saved Chat History': GROOMING.filter(([, from, , media]) => from === CHILD && !media).map(
        ([m, , text]) => ({ To: 'rickj34', 'Media Type': 'TEXT', Created: snapTime(m), Text: text }),
      ),
    },
    null,
    2,
  );
}

export interface ZipEntrySpec {
  name: string;
  data: string | Uint8Array;
  /** Store without compression. */
  stored?: boolean;
  /** Write this as the uncompressed size instead of the true one (a lying header). */
  declaredSize?: number;
  encrypted?: boolean;
}

/** A minimal zip writer for building test archives, broken ones included. */
export function makeZip(entries: ZipEntrySpec[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const e of entries) {
    const raw = typeof e.data === 'string' ? Buffer.from(e.data) : Buffer.from(e.data);
    const body = e.stored ? raw : deflateRawSync(raw);
    const name = Buffer.from(e.name);
    const crc = crc32(raw);
    const size = e.declaredSize ?? raw.length;
    const flags = 0x0800 | (e.encrypted ? 1 : 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(e.stored ? 0 : 8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(flags, 8);
    central.writeUInt16LE(e.stored ? 0 : 8, 10);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}
