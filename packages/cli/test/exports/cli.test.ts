// End-to-end: the real `lifeguard` binary on chat exports written for the tests.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tempFile } from '../helpers.ts';
import { discord, makeZip, whatsapp } from './samples.ts';

const bin = new URL('../../bin/lifeguard.mjs', import.meta.url).pathname;

function lifeguard(...args: string[]) {
  const result = spawnSync(process.execPath, [bin, ...args], {
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('lifeguard scan and report on chat exports', () => {
  it('scan says which layout it found, takes --age, and flags the grooming chat', () => {
    const path = tempFile('WhatsApp Chat with Rick J.txt', whatsapp('ios-us'));
    const { code, stdout, stderr } = lifeguard(
      'scan',
      path,
      '--age',
      'Mia=13',
      '--age',
      'Rick J=34',
      '--age',
      'Nobody Here=40',
      '--json',
    );
    assert.equal(code, 0, `exit 0 (stderr: ${stderr})`);
    const out = JSON.parse(stdout) as {
      format: string;
      layout: string;
      actors: { userId: string; accountAgeDays: number | null }[];
      conversations: {
        conversationId: string;
        participants: { userId: string; age: number | null; ageSource: string }[];
      }[];
    };
    assert.equal(out.format, 'whatsapp', 'format');
    assert.match(out.layout, /WhatsApp "Export chat" \(iOS\), dates month\/day\/year/, 'layout detail');
    const mia = out.conversations[0]?.participants.find((p) => p.userId === 'Mia');
    assert.deepEqual([mia?.age, mia?.ageSource], [13, 'declared'], 'declared age used');
    const rick = out.actors.find((a) => a.userId === 'Rick J');
    assert.ok(rick, 'the adult is listed as a risky account');
    assert.equal(rick.accountAgeDays, null, 'a declared age says nothing of the account age');
    assert.match(stderr, /--age Nobody Here=40: nobody called "Nobody Here"/, 'an unknown name is reported');
  });

  it('refuses a malformed --age with usage help', () => {
    const { code, stderr } = lifeguard('scan', 'x.txt', '--age', 'Mia');
    assert.equal(code, 1, 'usage error');
    assert.match(stderr, /--age wants NAME=AGE/, 'explains the form');
  });

  it('report writes one HTML file and says what it found; an unknown layout exits 2 without writing', () => {
    const out = tempFile('report.html', '');
    const path = tempFile('dm.json', discord());
    const ok = lifeguard('report', path, '--html', out, '--age', 'Mia=13');
    assert.equal(ok.code, 0, `exit 0 (stderr: ${ok.stderr})`);
    assert.match(
      ok.stdout,
      /Wrote .*report\.html: Discord \(DiscordChatExporter JSON\), 1 channel; 1 conversation \(1 scoring 0\.5 or more\), \d+ flagged messages/,
      'summary line',
    );
    assert.match(readFileSync(out, 'utf8'), /<h1>Lifeguard triage report<\/h1>/, 'the report was written');
    const zip = tempFile('holiday.zip', makeZip([{ name: 'IMG_1.jpg', data: Buffer.alloc(10), stored: true }]));
    const never = tempFile('never.html', 'untouched');
    const bad = lifeguard('report', zip, '--html', never);
    assert.equal(bad.code, 2, 'unusable input');
    assert.match(bad.stderr, /holiday\.zip: no chat export layout Lifeguard knows in this zip/, 'says why');
    assert.equal(readFileSync(never, 'utf8'), 'untouched', 'no report written over the file');
  });
});
