// Exports in .zip files, and zips that must be refused: corrupt, oversized, bombs, lying headers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { MessageEvent } from '@lifeguard/core';
import { openInput } from '../../src/input/source.ts';
import type { InputIssue, ReaderItem } from '../../src/input/types.ts';
import { tempFile } from '../helpers.ts';
import { ADULT, CHILD, GROOMING, makeZip, metaThread, whatsapp } from './samples.ts';

async function read(path: string, maxExportBytes?: number) {
  const issues: InputIssue[] = [];
  const input = await openInput(path, {
    file: path,
    onIssue: (i) => issues.push(i),
    ...(maxExportBytes ? { maxExportBytes } : {}),
  });
  const items: ReaderItem[] = [];
  for await (const batch of input.items) items.push(...batch);
  const messages = items.flatMap((i) =>
    i.kind === 'event' && i.event.type === 'message' ? [i.event as MessageEvent] : [],
  );
  return { input, issues, messages };
}

describe('chat exports in a zip', () => {
  it('reads an iOS WhatsApp zip (_chat.txt beside the photos) and names the chat after the zip', async () => {
    const zip = makeZip([
      { name: '_chat.txt', data: whatsapp('ios-gb') },
      { name: '00000012-PHOTO-2024-03-02-18-20-00.jpg', data: Buffer.alloc(2000, 7), stored: true },
    ]);
    const { input, messages, issues } = await read(tempFile('WhatsApp Chat - Rick J.zip', zip));
    assert.equal(input.format, 'whatsapp', 'layout');
    assert.deepEqual(issues, [], 'no problems');
    assert.equal(messages.length, GROOMING.length + 2, 'every message (a media line, and the multi-line one)');
    assert.equal(messages[0]!.conversationId, 'whatsapp:Rick J', 'named after the zip');
  });

  it('names an iOS chat in a folder inside the zip after that folder', async () => {
    const zip = makeZip([{ name: 'WhatsApp Chat - Zoë/_chat.txt', data: whatsapp('ios-gb') }]);
    const { messages } = await read(tempFile('exports.zip', zip));
    assert.equal(messages[0]!.conversationId, 'whatsapp:Zoë', 'named after the folder');
  });

  it('finds Instagram threads inside a "Download your information" zip', async () => {
    const zip = makeZip([
      {
        name: 'your_instagram_activity/messages/inbox/rickj_123/message_1.json',
        data: metaThread(GROOMING, [ADULT, CHILD], ADULT, 'inbox/rickj_123'),
      },
      { name: 'your_instagram_activity/messages/inbox/rickj_123/photos/1.jpg', data: Buffer.alloc(100), stored: true },
      { name: 'personal_information/personal_information.json', data: '{"profile_user": []}' },
    ]);
    const { input, messages } = await read(tempFile('instagram-mia-2024.zip', zip));
    assert.equal(input.format, 'meta', 'layout');
    assert.match(input.detail ?? '', /^Instagram/, 'service named');
    assert.equal(messages.length, GROOMING.length, 'all messages');
  });

  it('refuses a truncated zip, naming the file', async () => {
    const zip = makeZip([{ name: '_chat.txt', data: whatsapp('ios-gb') }]);
    const path = tempFile('cut.zip', zip.subarray(0, zip.length - 30));
    await assert.rejects(
      read(path),
      /cut\.zip: not a readable zip file \(.+\); damaged or incomplete download\?/,
      'says it is damaged',
    );
  });

  it('refuses a .zip that is not a zip at all', async () => {
    await assert.rejects(
      read(tempFile('fake.zip', 'hello, not a zip')),
      /fake\.zip: not a readable zip file/,
      'says it is not a zip',
    );
  });

  it('refuses a zip bomb (an entry that inflates more than 200 times) before inflating it', async () => {
    const zip = makeZip([{ name: '_chat.txt', data: Buffer.alloc(24 * 1024 * 1024, 0x41) }]);
    assert.ok(zip.length < 200_000, `the bomb itself is small (${zip.length} bytes)`);
    await assert.rejects(
      read(tempFile('bomb.zip', zip)),
      /bomb\.zip!_chat\.txt: compressed \d+:1 .*looks like a zip bomb; refused/,
      'names the entry',
    );
  });

  it('refuses an entry bigger than the size limit', async () => {
    const zip = makeZip([{ name: '_chat.txt', data: whatsapp('ios-gb') }]);
    await assert.rejects(
      read(tempFile('big.zip', zip), 1000),
      /big\.zip!_chat\.txt: .* more than the .* limit for one export file; refused/,
      'names the limit',
    );
  });

  it('refuses chat files that together inflate past twice the limit', async () => {
    const one = whatsapp('android-gb');
    const limit = Math.ceil(one.length * 1.1);
    const zip = makeZip([1, 2, 3].map((n) => ({ name: `WhatsApp Chat with P${n}.txt`, data: one })));
    await assert.rejects(
      read(tempFile('many.zip', zip), limit),
      /many\.zip: the chat files in the zip decompress to more than .* in all; refused/,
      'total limit',
    );
  });

  it('refuses an entry that inflates to more than its header says', async () => {
    const text = whatsapp('ios-gb');
    const zip = makeZip([{ name: '_chat.txt', data: text, declaredSize: 100 }]);
    await assert.rejects(
      read(tempFile('liar.zip', zip)),
      /liar\.zip!_chat\.txt: .*(header declares|size)/i,
      'lying size caught',
    );
  });

  it('refuses an encrypted entry and says to export without a password', async () => {
    const zip = makeZip([{ name: '_chat.txt', data: whatsapp('ios-gb'), encrypted: true }]);
    await assert.rejects(
      read(tempFile('locked.zip', zip)),
      /locked\.zip!_chat\.txt: the entry is encrypted/,
      'encrypted entry',
    );
  });

  it('says a zip holds no export it knows, listing some of its files', async () => {
    const zip = makeZip([
      { name: 'holiday/IMG_0001.jpg', data: Buffer.alloc(10), stored: true },
      { name: 'readme.txt', data: 'hello' },
    ]);
    await assert.rejects(
      read(tempFile('photos.zip', zip)),
      /photos\.zip: no chat export layout Lifeguard knows in this zip \(2 files: holiday\/IMG_0001\.jpg, readme\.txt\)/,
      'lists files',
    );
  });
});
