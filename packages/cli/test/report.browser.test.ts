// The HTML triage report in real Chromium (Debian's /usr/bin/chromium through playwright-core):
// it renders from the file alone, asks for nothing over the network, runs nothing from the chat,
// and shows the flagged spans, the stages and the chart. Skipped, saying why, without Chromium
// (a failure under LIFEGUARD_REQUIRE_ALL=1) or under LIFEGUARD_SKIP_BROWSER=1.
// LIFEGUARD_UPDATE_SCREENSHOTS=1 also writes docs/screenshots/report.png.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { environmentSkip } from '@lifeguard/storage/testing';
import { buildReport } from '../src/commands/report.ts';
import { renderReport, type ReportData } from '../src/report/html.ts';
import { tempFile } from './helpers.ts';
import { ADULT, CHILD, FRIEND, FRIENDS, GROOMING, makeZip, whatsapp } from './exports/samples.ts';

const CHROMIUM = process.env.LIFEGUARD_CHROMIUM ?? '/usr/bin/chromium';
const HOSTILE = '<script>alert(1)</script><img src="https://tracker.example/x.png" onerror="alert(2)">';
const skip =
  process.env.LIFEGUARD_SKIP_BROWSER === '1'
    ? 'LIFEGUARD_SKIP_BROWSER=1: browser tests skipped'
    : environmentSkip(
        'Chromium',
        existsSync(CHROMIUM)
          ? null
          : `Chromium not found at ${CHROMIUM}. Install it (Debian/Ubuntu: \`apt-get install -y chromium\`) or set LIFEGUARD_CHROMIUM.`,
      );

describe('triage report in Chromium', { timeout: 120_000 }, () => {
  let browser: Browser;
  let data: ReportData;
  let url: string;
  before(async () => {
    if (skip) return;
    // Two chats in one zip: the grooming one (with a hostile message) and two friends talking.
    const zip = makeZip([
      { name: 'WhatsApp Chat with Rick J.txt', data: whatsapp('android-us', [...GROOMING, [1370, ADULT, HOSTILE]]) },
      { name: 'WhatsApp Chat with Zoë.txt', data: whatsapp('android-us', FRIENDS) },
    ]);
    const path = tempFile('whatsapp-chats.zip', zip);
    data = await buildReport(
      path,
      {
        format: 'auto',
        ages: new Map([
          [CHILD, 13],
          [FRIEND, 13],
        ]),
        minScore: 0.5,
        limit: 20,
        progress: false,
        maxErrors: 50,
      },
      null,
    );
    const out = tempFile('report.html', renderReport(data));
    url = pathToFileURL(out).href;
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--headless=new', '--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
    });
  });
  after(async () => {
    await browser?.close();
  });

  test('renders from the file alone: no request, no script, no image', { skip }, async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const dialogs: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    page.on('dialog', (d) => {
      dialogs.push(d.message());
      void d.dismiss();
    });
    await page.goto(url);
    await page.getByRole('heading', { level: 1, name: 'Lifeguard triage report' }).waitFor();
    await page.locator('details.timeline summary').first().click();
    await page.waitForTimeout(200);
    assert.deepEqual(requests, [url], `only the report file itself is loaded, got ${requests.join(', ')}`);
    assert.deepEqual(dialogs, [], 'no script from a message ran');
    assert.equal(
      await page.locator('img, script, iframe, object, embed').count(),
      0,
      'no image, script or embedded element exists',
    );
    const shown = await page.locator('details.timeline').first().innerText();
    assert.ok(shown.includes('<script>alert(1)</script>'), 'the hostile message is shown as text');
    await page.close();
  });

  test('shows the riskiest chat first with flagged spans, stages, declared ages and the chart', { skip }, async () => {
    const page = await browser.newPage({ viewport: { width: 1100, height: 1500 } });
    await page.goto(url);
    const sections = page.locator('section.conversation');
    assert.equal(await sections.count(), 2, 'both chats have a section');
    const first = sections.first();
    assert.equal(await first.getAttribute('data-conversation-id'), 'whatsapp:Rick J', 'the grooming chat comes first');
    const c = data.conversations[0]!;
    assert.equal(
      await first.locator('ul.flagged-messages > li').count(),
      c.flaggedCount,
      'every flagged message listed',
    );
    const marks = await first.locator('ul.flagged-messages mark').allInnerTexts();
    assert.ok(marks.includes('its our secret'), `the secrecy span is highlighted: ${marks.join(' | ')}`);
    const secrecy = await first.locator('ul.flagged-messages mark[title^="secrecy"]').allInnerTexts();
    assert.ok(
      secrecy.includes('its our secret') && secrecy.includes('keep this between us'),
      `marks say their kind: ${secrecy.join(' | ')}`,
    );
    const reached = await first.locator('ol.stages li.reached').allInnerTexts();
    assert.ok(reached.includes('move to another platform'), `stage chip shown: ${reached.join(', ')}`);
    assert.match(
      await first.locator('table.participants').innerText(),
      /Mia\s+13 \(declared with --age\)/,
      'declared age shown',
    );
    const box = await first.locator('svg.risk-chart').boundingBox();
    assert.ok(box !== null && box.width > 300 && box.height > 100, `the chart is drawn (${JSON.stringify(box)})`);
    assert.match(
      (await first.locator('svg.risk-chart').getAttribute('aria-label')) ?? '',
      /peak 1\.00|peak 0\.\d\d/,
      'the chart is labelled for screen readers',
    );
    assert.match(
      (await first.locator('.media').first().textContent()) ?? '',
      /\[file not shown\]/,
      'media is a placeholder',
    );
    const second = await sections.nth(1).locator('.score').innerText();
    assert.ok(Number(second) < 0.5, `the friends' chat scores low (${second})`);
    const png = await page.screenshot({ fullPage: true, clip: { x: 0, y: 0, width: 1100, height: 2400 } });
    assert.ok(png.length > 10_000, 'a screenshot was taken');
    if (process.env.LIFEGUARD_UPDATE_SCREENSHOTS === '1')
      writeFileSync(new URL('../../../docs/screenshots/report.png', import.meta.url), png);
    await page.close();
  });
});
