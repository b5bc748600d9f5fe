// The on-device demo (examples/on-device-chat) in real Chromium with the network cut off: a two-person
// chat where the warning appears on the child's side only, built from the published SDK build, and
// not one request leaves the page. Needs Debian's chromium (LIFEGUARD_CHROMIUM to point elsewhere).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { environmentSkip } from '@lifeguard/storage/testing';
import { ensureBuilt } from '../../../scripts/ensure-built.mjs';
import { buildDemo } from '../../../examples/on-device-chat/build.mjs';

const CHROMIUM = process.env.LIFEGUARD_CHROMIUM ?? '/usr/bin/chromium';
const skip = environmentSkip(
  'Chromium',
  existsSync(CHROMIUM)
    ? null
    : `Chromium not found at ${CHROMIUM}. Install it (Debian/Ubuntu: \`apt-get update && apt-get install -y chromium\`) or point LIFEGUARD_CHROMIUM at another Chromium binary to run the browser tests.`,
);

describe('the on-device demo in Chromium, offline', { skip, timeout: 300_000 }, () => {
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let dir: string;
  let url: string;
  /** Every request the page made, but the file:// navigation to the page itself. */
  const requests: string[] = [];

  before(async () => {
    await ensureBuilt();
    dir = mkdtempSync(join(tmpdir(), 'lifeguard-demo-'));
    url = pathToFileURL(await buildDemo(dir)).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
    context = await browser.newContext({ offline: true });
    // Anything that tries to reach a server is refused and recorded.
    await context.route(/^(https?|wss?):/, (route) => {
      requests.push(route.request().url());
      return route.abort('internetdisconnected');
    });
    context.on('request', (request) => {
      if (request.url() !== url) requests.push(request.url());
    });
    page = await context.newPage();
    // The page's Content-Security-Policy would stop a request before it is made: count those attempts too.
    page.on('console', (message) => {
      if (/Content Security Policy/i.test(message.text())) requests.push(`blocked by CSP: ${message.text()}`);
    });
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
  });

  after(async () => {
    await browser?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function send(user: 'rick' | 'mia', text: string): Promise<void> {
    const phone = page.locator(`section[data-user="${user}"]`);
    await phone.locator('input[name="text"]').fill(text);
    await phone.locator('button').click();
  }

  test('an ordinary exchange shows on both phones without a warning', { skip }, async () => {
    await send('rick', 'hey saw ur drawing in the art group, ur really talented');
    await send('mia', 'thanks :) who r u');
    assert.equal(await page.locator('#other .msg').count(), 2, 'both messages on the other phone');
    assert.equal(await page.locator('#child .msg').count(), 2, "both messages on the child's phone");
    assert.equal(await page.locator('.warning').count(), 0, 'no warning yet');
  });

  test("the warning appears on the child's side only, with reasons in plain words", { skip }, async () => {
    await send('rick', 'just a fan of ur art lol. how old r u?');
    await send('mia', '13');
    await send('rick', 'im 34 but age is just a number right. ur so mature for 13');
    await send('rick', 'lets keep this between us ok? delete our chat');
    await send('rick', 'add me on snap its easier to talk there');
    const warning = page.locator('#child .warning');
    await warning.waitFor({ state: 'visible', timeout: 10_000 });
    const text = await warning.innerText();
    assert.match(text, /keep this chat secret/, `the secrecy request is named: ${text}`);
    assert.match(text, /another app/, `the move to another app is named: ${text}`);
    assert.match(text, /adult you trust/, `advice for the child: ${text}`);
    assert.equal(await page.locator('#other .warning').count(), 0, 'the other phone shows nothing');
    assert.equal(await page.locator('#other .msg.flagged').count(), 0, 'nor which messages were flagged');
    assert.ok(
      (await page.locator('#child .msg.flagged').count()) >= 2,
      "the child's phone marks the messages behind the reasons",
    );
  });

  test("the signal for the app's server holds a level and kinds, no text", { skip }, async () => {
    const signal = JSON.parse((await page.locator('#signal').textContent()) ?? 'null') as {
      level: string;
      kinds: string[];
    };
    assert.ok(['medium', 'high', 'critical'].includes(signal.level), `a risk level: ${signal.level}`);
    assert.ok(signal.kinds.includes('secrecy'), `signal kinds: ${signal.kinds.join(', ')}`);
    const raw = JSON.stringify(signal);
    for (const word of ['snap', 'secret', 'rick', 'mia', 'drawing'])
      assert.ok(!raw.includes(word), `no message text or ids in the signal (${word}): ${raw}`);
  });

  test('the app restores the guard from its own storage after a reload', { skip }, async () => {
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]');
    assert.equal(await page.locator('#child .msg').count(), 7, 'the chat is back');
    const text = await page.locator('#child .warning').innerText();
    assert.match(text, /keep this chat secret/, `the warning is back from the saved state: ${text}`);
  });

  test('no request left the page', { skip }, () => {
    assert.deepEqual(requests, [], 'the page made no request, nor tried to');
  });
});
